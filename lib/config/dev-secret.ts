/**
 * Development only: a SESSION_SECRET made once and kept in a git-ignored
 * file, so that `npm run dev` needs no setup and sessions survive a restart.
 * Never used in production, where a missing secret stops the server.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MIN_SECRET_LENGTH } from ".";

export const DEV_SECRET_FILE = ".session-secret.local";

export function ensureDevSecret(env: Record<string, string | undefined> = process.env, dir = process.cwd()): void {
  if (env.SESSION_SECRET) return;
  const file = join(dir, DEV_SECRET_FILE);
  let secret = "";
  try {
    secret = readFileSync(file, "utf8").trim();
  } catch {
    // Not there yet: made below.
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    secret = randomBytes(32).toString("base64url");
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    console.log(
      `[session] No SESSION_SECRET set: generated one for development in ${DEV_SECRET_FILE} (git-ignored). Production needs SESSION_SECRET.`,
    );
  }
  env.SESSION_SECRET = secret;
}
