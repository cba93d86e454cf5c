/**
 * Adjustments to Node's HTTP server that Next.js offers no setting for,
 * installed once at startup (instrumentation.ts), Node.js runtime only: the
 * requests Next.js cannot read are answered before it sees them, the
 * client's address is made trustworthy, the Content-Security-Policy is made
 * (lib/http/security-headers.ts), and Vary: Cookie is added.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import { logRefusal } from "./refusals";
import { ALLOWED_METHODS, screenRequestLine, unreadableRouterState } from "./request-line";
import { STATIC_HEADERS, policyOnArrival } from "./security-headers";

const plainHeaders = (length: number) => ({
  ...Object.fromEntries(STATIC_HEADERS.map(({ key, value }) => [key, value])),
  "Content-Type": "text/plain; charset=utf-8",
  "Content-Length": String(length),
  "Cache-Control": "no-store",
  Connection: "close",
});

/** A request Next.js cannot read is answered here in plain text; says whether it was. */
function screened(request: IncomingMessage, response: ServerResponse): boolean {
  const decision = unreadableRouterState(request.headers)
    ? { answer: { status: 400 as const, message: "The router state header could not be read.", allow: undefined } }
    : screenRequestLine(request.method ?? "", request.url ?? "", request.headers.host);
  if (!decision) return false;
  if (decision.url !== undefined) {
    request.url = decision.url;
    return false;
  }
  const { status, message, allow } = decision.answer;
  logRefusal(`request-line:${status}:${message || request.method}`, status, `${request.method} ${request.url}`);
  const body = message ? `${message}\n` : "";
  response.writeHead(status, { ...plainHeaders(Buffer.byteLength(body)), ...(allow ? { Allow: allow } : {}) });
  response.end(body);
  return true;
}

/**
 * The requests on every server: screened (above), and, when the server faces
 * clients directly (`trustProxy` off), their X-Forwarded-For overwritten with
 * the socket's address. Next.js fills that header only when a request has
 * none, so a client could otherwise put anything there and the throttle and
 * the audit log would believe it.
 */
function screenRequests(server: typeof Server | typeof https.Server, trustProxy: boolean): void {
  const proto = server.prototype as Server;
  const emit = proto.emit;
  proto.emit = function (this: Server, event: string, ...args: unknown[]) {
    // A server without a "connect" listener drops a CONNECT (a proxy's tunnel) without a word: give it one.
    if (event === "connection" && this.listenerCount("connect") === 0) this.on("connect", refuseConnect);
    if (event === "request") {
      const [request, response] = args as [IncomingMessage, ServerResponse];
      if (screened(request, response)) return true;
      if (!trustProxy) request.headers["x-forwarded-for"] = request.socket.remoteAddress ?? "unknown";
      policyOnArrival(request, response);
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as Server["emit"];
}

/** CONNECT asks for a tunnel, as to a proxy: this server is none. */
function refuseConnect(_request: IncomingMessage, socket: Duplex) {
  const body = "CONNECT is not allowed here: this is not a proxy.\n";
  const head = Object.entries({ ...plainHeaders(Buffer.byteLength(body)), Allow: ALLOWED_METHODS })
    .map(([name, value]) => `${name}: ${value}`)
    .join("\r\n");
  logRefusal("request-line:405:CONNECT", 405);
  socket.end(`HTTP/1.1 405 Method Not Allowed\r\n${head}\r\n\r\n${body}`);
}

/**
 * What a page or a redirect says depends on the session cookie, so caches
 * must key them on it: every response but Next's immutable build files gets
 * Cookie in its Vary header, added here, where the headers are written.
 * (Next.js sets the Vary header of pages itself, replacing whatever the
 * middleware set; this is the one place that adds Cookie.)
 */
function varyOnCookie(): void {
  const proto = http.ServerResponse.prototype;
  const writeHead = proto.writeHead;
  proto.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
    if (!this.headersSent && !this.req?.url?.startsWith("/_next/static/")) {
      const vary = this.getHeader("vary");
      const value = Array.isArray(vary) ? vary.join(", ") : vary === undefined ? "" : String(vary);
      if (!/(^|,)\s*cookie\s*(,|$)/i.test(value)) this.setHeader("vary", value ? `${value}, Cookie` : "Cookie");
    }
    return Reflect.apply(writeHead, this, args) as http.ServerResponse;
  } as typeof proto.writeHead;
}

/** Marks the prototypes as adjusted, so that a second call (a dev server's reload) changes nothing. */
const INSTALLED = Symbol.for("next-sessions.node-hooks");

export function installNodeHooks({ trustProxy }: { trustProxy: boolean }): void {
  const proto = http.ServerResponse.prototype as typeof http.ServerResponse.prototype & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  screenRequests(http.Server, trustProxy);
  screenRequests(https.Server, trustProxy);
  varyOnCookie();
}
