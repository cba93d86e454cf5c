/**
 * A real nginx in front of the app, for the tests of what happens behind a
 * proxy: Debian's nginx (`apt-get install nginx-light`; NGINX_BIN picks
 * another binary), started on a free loopback port with a configuration of
 * the test's own in a folder of its own, and stopped by process id.
 *
 * The `server` block is the README's ("Behind a proxy"), as written there:
 * only its ports are the test's. So what the tests prove is what the README
 * tells people to run. It listens in plain HTTP (the README's `ssl` dropped),
 * or with `tls` (a certificate, e2e/support/tls.ts) in HTTPS as the README
 * has it, at https://localhost:<port>.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./free-port";

const root = path.resolve(__dirname, "../..");

export type Nginx = {
  url: string;
  port: number;
  pid: number;
  /** Each request as nginx logged it: the client's address, the status, every upstream it tried, the user agent, the method and the URI. */
  requests: () => {
    client: string;
    status: number;
    upstreams: string[];
    forwardedFor: string;
    userAgent: string;
    method: string;
    uri: string;
  }[];
  output: () => string;
  stop: () => Promise<void>;
};

/** The README's nginx block (```nginx), as written. */
export function readmeServerBlock(): string {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const block = /^```nginx\n([\s\S]*?)^```$/m.exec(readme)?.[1];
  if (!block) throw new Error("README.md has no ```nginx block");
  return block;
}

function binary(): string {
  if (process.env.NGINX_BIN) return process.env.NGINX_BIN;
  return ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].find((file) => existsSync(file)) ?? "nginx";
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Where nginx listens: the README's `listen` on the test's loopback port, with `ssl` only when there is a certificate. */
function listen(line: string, port: number, tls?: { cert: string; key: string }): string {
  const [, indent, parameters, rest] = /^( *)listen \S+((?: [^;]+)?);(.*)$/.exec(line)!;
  const kept = parameters.split(" ").filter((parameter) => parameter && (tls || parameter !== "ssl"));
  if (!tls) return `${indent}listen ${[`127.0.0.1:${port}`, ...kept].join(" ")};${rest}`;
  if (!kept.includes("ssl")) kept.unshift("ssl");
  return [
    `${indent}listen ${[`127.0.0.1:${port}`, ...kept].join(" ")};${rest}`,
    `${indent}ssl_certificate ${tls.cert};`,
    `${indent}ssl_certificate_key ${tls.key};`,
  ].join("\n");
}

/**
 * nginx with the README's block, sending to `upstreams` (URLs of npm start
 * servers, or of another nginx); `edit` may change the block (an nginx that
 * overwrites X-Forwarded-For instead of appending to it); `tls`: HTTPS with
 * this certificate (e2e/support/tls.ts), at https://localhost:<port>.
 */
export async function startNginx(
  upstreams: string[],
  {
    edit = (block: string) => block,
    tls,
  }: { edit?: (block: string) => string; tls?: { cert: string; key: string } } = {},
): Promise<Nginx> {
  const port = await freePort();
  const prefix = mkdtempSync(path.join(tmpdir(), "nginx-"));
  // nginx's workers run as nobody when it is started as root: they write their temporary files here.
  for (const dir of ["body", "proxy", "logs"]) mkdirSync(path.join(prefix, dir), { mode: 0o777 });
  chmodSync(prefix, 0o755);
  // The README's upstream servers, in order, become the test's (with the parameters the README gives them).
  const block = edit(readmeServerBlock())
    .replace(/^( *)upstream app \{\n([\s\S]*?)^\1\}/m, (_, indent: string, body: string) => {
      const lines = body.split("\n").filter((line) => /^\s*server /.test(line));
      const servers = upstreams.map((url, n) =>
        lines[Math.min(n, lines.length - 1)].replace(/server \S+?(;| )/, `server ${new URL(url).host}$1`),
      );
      return `${indent}upstream app {\n${servers.join("\n")}\n${indent}}`;
    })
    .replace(/^ *listen [^;]+;.*$/m, (line) => listen(line, port, tls));
  const config = `
worker_processes 1;
error_log stderr warn;
pid ${prefix}/nginx.pid;
events { worker_connections 1024; }
http {
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  log_format tested '$remote_addr|$status|$upstream_addr|$proxy_add_x_forwarded_for|$http_user_agent|$request_method|$request_uri';
  access_log ${prefix}/logs/access.log tested;
${block}
}
`;
  const file = path.join(prefix, "nginx.conf");
  writeFileSync(file, config);
  let output = "";
  const child: ChildProcess = spawn(binary(), ["-p", prefix, "-c", file, "-g", "daemon off;"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (error) =>
      reject(new Error(`cannot start nginx (Debian: apt-get install nginx-light): ${error.message}`)),
    );
    child.once("exit", (code) => reject(new Error(`nginx exited with ${code}:\n${output}\n${config}`)));
  });
  failed.catch(() => {});
  const deadline = Date.now() + 10_000;
  while (!(await Promise.race([listening(port), failed]))) {
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url: tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    requests: () => {
      const log = path.join(prefix, "logs/access.log");
      return (existsSync(log) ? readFileSync(log, "utf8") : "")
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const [client, status, upstreams, forwardedFor, userAgent, method, ...uri] = line.split("|");
          return {
            client,
            status: Number(status),
            upstreams: upstreams.split(/, | : /),
            forwardedFor,
            userAgent,
            method,
            uri: uri.join("|"),
          };
        });
    },
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
