/**
 * npm run hash-password
 *
 * Reads a password and prints only its scrypt hash, ready for AUTH_USERS:
 *   printf '%s' 'correct horse' | npm run -s hash-password
 *   npm run -s hash-password            (asks twice, without echo)
 * Prompts go to stderr, so stdout is the hash and nothing else.
 */
import { hashPassword } from "../lib/auth/password";

async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is the shell's (echo, a file), not the password's.
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

function ask(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    let value = "";
    const onData = (text: string) => {
      for (const char of text) {
        if (char === "\r" || char === "\n") {
          done();
          resolve(value);
          return;
        } else if (char === "\u0003" || char === "\u0004") {
          done();
          reject(new Error("cancelled"));
          return;
        } else if (char === "\u007f" || char === "\b") {
          value = [...value].slice(0, -1).join("");
        } else {
          value += char;
        }
      }
    };
    const done = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    stdin.on("data", onData);
  });
}

async function main() {
  let password: string;
  if (process.stdin.isTTY) {
    password = await ask("Password: ");
    if ((await ask("Repeat it: ")) !== password) throw new Error("The two passwords differ; nothing was hashed.");
  } else {
    password = await readPiped();
  }
  if (password.length === 0) throw new Error("The password is empty; nothing was hashed.");
  process.stdout.write(`${await hashPassword(password)}\n`);
}

main().catch((error: Error) => {
  console.error(`hash-password: ${error.message}`);
  process.exit(1);
});
