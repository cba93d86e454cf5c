/**
 * Two adjustments to Node's HTTP server that Next.js offers no setting for,
 * installed once at startup (instrumentation.ts), Node.js runtime only.
 */
import http, { type IncomingMessage, type Server } from "node:http";
import https from "node:https";

/**
 * Next.js fills X-Forwarded-For with the socket's address only when the
 * request has none, so a client can put anything there. When the server
 * faces clients directly (TRUST_PROXY off), overwrite it with the socket's
 * address so that throttling and the audit log see the real peer.
 */
function trustSocketAddress(server: typeof Server | typeof https.Server): void {
  const proto = server.prototype as Server;
  const emit = proto.emit;
  proto.emit = function (this: Server, event: string, ...args: unknown[]) {
    if (event === "request") {
      const request = args[0] as IncomingMessage;
      request.headers["x-forwarded-for"] = request.socket.remoteAddress ?? "unknown";
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as Server["emit"];
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
  if (!trustProxy) {
    trustSocketAddress(http.Server);
    trustSocketAddress(https.Server);
  }
  varyOnCookie();
}
