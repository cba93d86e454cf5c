/**
 * `npm start`'s server (each worker of scripts/start.mjs runs one): Next.js's
 * request handler behind Node's HTTP server, through Next's documented custom
 * server API. Before Next.js sees a request it
 * - answers what Next.js 16.4 cannot read (scripts/screen.mjs), and CONNECT;
 * - appends the socket's address to X-Forwarded-For, so that the last entry is
 *   one the client did not write (lib/http/client-ip.ts; `next start` keeps
 *   whatever a client sent).
 * On SIGTERM or SIGINT it drains and exits (scripts/shutdown.mjs).
 * Nothing of Node's or Next's is patched. Arguments: -p/--port (or PORT),
 * -H/--hostname (default: every address; HOSTNAME is not read, as Docker sets
 * it to the container's id).
 */
import { createServer, STATUS_CODES } from "node:http";
import { parseArgs } from "node:util";
import next from "next";
import SECURITY_HEADERS from "../lib/http/fixed-headers.json" with { type: "json" };
import { log, logRefusal } from "../lib/log.mjs";
import { ALLOWED_METHODS, screen } from "./screen.mjs";
import { shutdownSettings } from "./shutdown.mjs";

const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
});
const hostname = values.hostname;
const rawPort = values.port ?? process.env.PORT ?? "3000";
const port = Number(rawPort);
if (!/^\d{1,5}$/.test(rawPort.trim()) || port > 65_535) {
  console.error(
    `The port must be a number from 0 to 65535 (got "${rawPort}"), e.g. npm start -- -p 8080 or PORT=8080.`,
  );
  process.exit(1);
}

const shutdown = shutdownSettings();
if ("problem" in shutdown) {
  console.error(shutdown.problem);
  process.exit(1);
}

/** A plain-text answer of this server's own, with the app's fixed security headers (Next adds them only to its own). */
const PLAIN = {
  ...SECURITY_HEADERS,
  "Content-Type": "text/plain; charset=utf-8",
  "Cache-Control": "no-store",
  Connection: "close",
};

function answer(response, status, body, headers = {}) {
  response.writeHead(status, { ...PLAIN, "Content-Length": Buffer.byteLength(body), ...headers });
  response.end(body);
}

/** Set once a signal says to stop (see stop() below). */
let draining = false;

const app = next({ dev: false, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

/** Responses under way on each socket: an error answer written there would land inside one of them. */
const answering = new WeakMap();
/** Responses under way, and each connection's latest: a stop tells that one to close its connection after it. */
const underWay = new Set();
const latest = new WeakMap();

const server = createServer((request, response) => {
  const { socket } = request;
  answering.set(socket, (answering.get(socket) ?? 0) + 1);
  underWay.add(response);
  latest.set(socket, response);
  response.once("close", () => {
    answering.set(socket, answering.get(socket) - 1);
    underWay.delete(response);
  });
  if (draining) {
    // Each answer closes its connection: the client's next request opens another (through a proxy, elsewhere).
    response.setHeader("Connection", "close");
    if (/^\/healthz(\?|$)/.test(request.url ?? "")) return answer(response, 503, "stopping\n");
  }
  const decision = screen(request);
  if (decision?.answer) {
    const { status, message, allow } = decision.answer;
    logRefusal(`${status}:${message || request.method}`, status, `${request.method} ${request.url}`.slice(0, 200));
    answer(response, status, message ? `${message}\n` : "", allow ? { Allow: allow } : {});
    return;
  }
  if (decision?.url) request.url = decision.url;
  const forwarded = request.headers["x-forwarded-for"];
  request.headers["x-forwarded-for"] = [forwarded, request.socket.remoteAddress ?? "unknown"]
    .filter(Boolean)
    .join(", ");
  handle(request, response).catch((error) => {
    // Next.js answers its own errors; this is for one it let through, so that the client is not left waiting.
    log("error", "request.failed", { message: String(error) });
    if (!response.headersSent) response.writeHead(500, PLAIN);
    response.end();
  });
});

/** A plain-text answer written on the socket itself, where Node gives no response object. */
function answerOnSocket(socket, status, message, headers = {}) {
  const body = `${message}\n`;
  const head = Object.entries({ ...PLAIN, "Content-Length": Buffer.byteLength(body), ...headers });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head.map(([name, value]) => `${name}: ${value}`).join("\r\n")}\r\n\r\n${body}`,
  );
}

// CONNECT asks for a tunnel, as to a proxy: this server is none (without a listener Node drops it without a word).
server.on("connect", (request, socket) => {
  logRefusal("405:CONNECT", 405);
  answerOnSocket(socket, 405, "CONNECT is not allowed here: this is not a proxy.", { Allow: ALLOWED_METHODS });
});

/**
 * What Node's parser refuses before any handler runs, which it answers with a bare status line and no
 * reason. A method it does not know is a 405 as any other the app does not take (a 501, RFC 9110's
 * choice, is a 5xx: a server error to every monitor, for a client's mistake).
 */
const CLIENT_ERRORS = {
  HPE_INVALID_METHOD: [405, `This server does not take that method. It takes ${ALLOWED_METHODS}.`],
  HPE_HEADER_OVERFLOW: [431, "The request's address and headers are over 16 KB together."],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "The request took too long to arrive."],
};

server.on("clientError", (error, socket) => {
  if (error.code === "ECONNRESET" || !socket.writable || answering.get(socket) > 0) return socket.destroy();
  const [status, message] = CLIENT_ERRORS[error.code] ?? [400, "The request could not be read."];
  logRefusal(`${status}:${error.code}`, status);
  answerOnSocket(socket, status, message, status === 405 ? { Allow: ALLOWED_METHODS } : {});
});

server.on("error", (error) => {
  const why = error.code === "EADDRINUSE" ? `port ${port} is already in use` : error.message;
  console.error(`The server cannot listen: ${why}. Choose another with -p or PORT.`);
  process.exit(1);
});
server.listen(port, hostname, () => {
  const url = `http://${hostname ?? "localhost"}:${server.address().port}`;
  // A worker of scripts/start.mjs tells the primary, which says it once and starts the other workers.
  if (process.send) process.send({ nextSessions: "listening", url });
  else console.log(`Ready on ${url}`);
});

let closesAt = Infinity;
let closing;

/**
 * Drains: from now on /healthz answers 503 and every answer closes its
 * connection; `delay` ms later (sooner if a later signal says so) no new
 * connection is taken and idle ones are closed; the process exits once the
 * requests in flight are answered, or at the timeout, closing what is left.
 */
function stop(delay) {
  if (!draining) {
    draining = true;
    // Each connection with an answer under way closes after its latest (earlier ones, pipelined, keep theirs):
    // none stays open, idle, after the last answer.
    for (const response of underWay) {
      const { socket } = response.req;
      if (latest.get(socket) !== response) continue;
      if (!response.headersSent) response.setHeader("Connection", "close");
      else response.once("finish", () => socket.end());
    }
    setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, shutdown.timeoutMs).unref();
  }
  if (Date.now() + delay >= closesAt) return;
  closesAt = Date.now() + delay;
  clearTimeout(closing);
  closing = setTimeout(() => server.close(() => process.exit(0)), delay);
}
process.on("SIGTERM", () => stop(shutdown.delayMs));
process.on("SIGINT", () => stop(0));
