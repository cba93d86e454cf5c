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
 * Pages depend on the session cookie, so caches must key them on it. Next.js
 * sets the Vary header of every page itself, replacing whatever the
 * middleware set, so Cookie is added where the header is written.
 */
function varyOnCookie(): void {
  const proto = http.ServerResponse.prototype;
  const setHeader = proto.setHeader;
  proto.setHeader = function (this: http.ServerResponse, name: string, value: number | string | readonly string[]) {
    if (name.toLowerCase() === "vary" && typeof value === "string" && !/(^|,)\s*cookie\s*(,|$)/i.test(value)) {
      value = `${value}, Cookie`;
    }
    return Reflect.apply(setHeader, this, [name, value]) as http.ServerResponse;
  } as typeof proto.setHeader;
}

const INSTALLED = Symbol.for("next-sessions.node-hooks");

export function installNodeHooks({ trustProxy }: { trustProxy: boolean }): void {
  const flags = globalThis as typeof globalThis & { [INSTALLED]?: true };
  if (flags[INSTALLED]) return;
  flags[INSTALLED] = true;
  if (!trustProxy) {
    trustSocketAddress(http.Server);
    trustSocketAddress(https.Server);
  }
  varyOnCookie();
}
