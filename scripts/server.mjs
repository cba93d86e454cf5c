/**
 * `npm start`'s server (each worker of scripts/start.mjs runs one): Next.js's
 * request handler behind Node's HTTP server, through Next's documented custom
 * server API. Before Next.js sees a request it
 * - answers what Next.js 16.4 cannot read (scripts/screen.mjs), and CONNECT;
 * - appends the socket's address to X-Forwarded-For, so that the last hop is
 *   one the client did not write (lib/http/client-ip.ts; `next start` keeps
 *   whatever a client sent).
 * Nothing of Node's or Next's is patched. Arguments: -p/--port, -H/--hostname.
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import next from "next";
import SECURITY_HEADERS from "../lib/http/fixed-headers.json" with { type: "json" };
import { ALLOWED_METHODS, screen } from "./screen.mjs";

const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
});
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname ?? process.env.HOSTNAME;

const logged = new Set();
/** A refused request, logged once per cause as one JSON line: enough to see that something sends them. */
function logRefusal(cause, status, detail) {
  if (logged.has(cause)) return;
  logged.add(cause);
  const note = "logged once per cause; later ones are refused the same way, silently";
  console.warn(
    JSON.stringify({
      time: new Date().toISOString(),
      level: "warn",
      event: "request.refused",
      cause,
      status,
      detail,
      note,
    }),
  );
}

/** A plain-text answer of this server's own, with the app's fixed security headers (Next adds them only to its own). */
const PLAIN = {
  ...SECURITY_HEADERS,
  "Content-Type": "text/plain; charset=utf-8",
  "Cache-Control": "no-store",
  Connection: "close",
};

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  const decision = screen(request);
  if (decision?.answer) {
    const { status, message, allow } = decision.answer;
    logRefusal(`${status}:${message || request.method}`, status, `${request.method} ${request.url}`.slice(0, 200));
    const body = message ? `${message}\n` : "";
    response.writeHead(status, {
      ...PLAIN,
      "Content-Length": Buffer.byteLength(body),
      ...(allow ? { Allow: allow } : {}),
    });
    response.end(body);
    return;
  }
  if (decision?.url) request.url = decision.url;
  const forwarded = request.headers["x-forwarded-for"];
  request.headers["x-forwarded-for"] = [forwarded, request.socket.remoteAddress ?? "unknown"]
    .filter(Boolean)
    .join(", ");
  void handle(request, response);
});

// CONNECT asks for a tunnel, as to a proxy: this server is none (without a listener Node drops it without a word).
server.on("connect", (request, socket) => {
  const body = "CONNECT is not allowed here: this is not a proxy.\n";
  logRefusal("405:CONNECT", 405);
  const head = Object.entries({ ...PLAIN, "Content-Length": Buffer.byteLength(body), Allow: ALLOWED_METHODS });
  socket.end(
    `HTTP/1.1 405 Method Not Allowed\r\n${head.map(([name, value]) => `${name}: ${value}`).join("\r\n")}\r\n\r\n${body}`,
  );
});

server.listen(port, hostname, () => console.log(`Ready on http://${hostname ?? "localhost"}:${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
