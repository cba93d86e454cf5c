/**
 * The front of a Vercel-like split (e2e/support/split.ts), run as a process
 * of its own: the app's middleware.ts runs here, alone, as Vercel runs
 * Routing Middleware apart from the functions that render pages. What it
 * lets through goes to the pages servers given as arguments, in turn, with
 * what it asked for: the request headers it set (NextResponse.next({ request })),
 * its rewrite, and its response headers and cookies on the way back.
 *
 *   tsx --conditions=react-server e2e/support/split-proxy.ts <port> <pages url>...
 */
import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import { Readable } from "node:stream";
import type { NextResponse } from "next/server";

// What Next.js's own runtimes set up before they load a middleware (so Next's modules come after it).
Object.assign(globalThis, { AsyncLocalStorage });
const app = Promise.all([
  import("../../middleware"),
  import("next/server"),
  import("next/experimental/testing/server"),
]).then(([{ config, middleware }, { NextRequest }, { getRewrittenUrl, unstable_doesMiddlewareMatch }]) => ({
  config,
  middleware,
  NextRequest,
  getRewrittenUrl,
  unstable_doesMiddlewareMatch,
}));

const [port, ...pages] = process.argv.slice(2);
let turn = 0;

async function body(request: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length > 0 ? Buffer.concat(chunks) : undefined;
}

function send(to: http.ServerResponse, status: number, headers: Headers, payload: Readable | Buffer | null) {
  const out: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    if (!name.startsWith("x-middleware-") && name !== "set-cookie") out[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  to.writeHead(status, out);
  if (payload instanceof Readable) payload.pipe(to);
  else to.end(payload);
}

const server = http.createServer(async (incoming, outgoing) => {
  try {
    const { config, middleware, NextRequest, getRewrittenUrl, unstable_doesMiddlewareMatch } = await app;
    const url = new URL(incoming.url ?? "/", `http://${incoming.headers.host}`);
    const payload = await body(incoming);
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    // What Vercel's edge tells a function: where the client is and which host it asked for.
    headers.set("x-forwarded-for", incoming.socket.remoteAddress ?? "unknown");
    headers.set("x-forwarded-host", incoming.headers.host ?? "");
    headers.set("x-forwarded-proto", "http");
    let target = url.pathname + url.search;
    const back = new Headers();
    const matches = unstable_doesMiddlewareMatch({ config, url: url.href, headers: incoming.headers });
    if (matches) {
      const init = { method: incoming.method, headers, body: payload as BodyInit | undefined, duplex: "half" };
      const response = (await middleware(
        new NextRequest(url, init as ConstructorParameters<typeof NextRequest>[1]),
      )) as NextResponse;
      const rewrite = getRewrittenUrl(response);
      if (response.headers.get("x-middleware-next") !== "1" && !rewrite) {
        // An answer of its own (a redirect, a refusal). Like Next's adapter, a redirect to this origin
        // goes out as a path (the request's URL says localhost for 127.0.0.1).
        const location = response.headers.get("location");
        const request = new NextRequest(url);
        if (location && new URL(location).origin === new URL(request.url).origin) {
          const target = new URL(location);
          response.headers.set("location", target.pathname + target.search + target.hash);
        }
        return send(outgoing, response.status, response.headers, Buffer.from(await response.arrayBuffer()));
      }
      for (const name of response.headers.get("x-middleware-override-headers")?.split(",") ?? []) {
        const value = response.headers.get(`x-middleware-request-${name}`);
        if (value === null) headers.delete(name);
        else headers.set(name, value);
      }
      if (rewrite) target = new URL(rewrite).pathname + new URL(rewrite).search;
      response.headers.forEach((value, name) => {
        if (!name.startsWith("x-middleware-") && name !== "set-cookie") back.set(name, value);
      });
      for (const cookie of response.headers.getSetCookie()) back.append("set-cookie", cookie);
    }
    const upstream = await fetch(new URL(target, pages[turn++ % pages.length]), {
      method: incoming.method,
      headers,
      body: payload as BodyInit | undefined,
      redirect: "manual",
    });
    const merged = new Headers(upstream.headers);
    merged.delete("content-encoding");
    merged.delete("content-length");
    back.forEach((value, name) => {
      if (name !== "set-cookie") merged.set(name, value);
    });
    for (const cookie of back.getSetCookie()) merged.append("set-cookie", cookie);
    const stream = upstream.body ? Readable.fromWeb(upstream.body as import("node:stream/web").ReadableStream) : null;
    send(outgoing, upstream.status, merged, stream);
  } catch (error) {
    console.error("split proxy:", error);
    outgoing.writeHead(502).end("split proxy error\n");
  }
});

server.listen(Number(port), "127.0.0.1", () => console.log(`split proxy on ${port} → ${pages.join(", ")}`));
process.on("SIGTERM", () => process.exit(0));
