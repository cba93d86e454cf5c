/**
 * The guard: /students and everything below it need a session; anyone else
 * is sent to /login?next=<where they were going>. This is the optimistic
 * check (the cookie only, no database): pages and server actions check again
 * with verifySession(), because every server action is a public endpoint.
 *
 * It runs on every page (not only /students) because it also keeps the
 * cookie up to date: a session in use slides forward (throttled), a dead
 * cookie is expired. The opened seal is kept in a process-wide cache, so
 * the page's own check does not unseal the cookie a second time.
 *
 * Next.js 16 renamed this file convention to `proxy.ts` and prints a
 * deprecation warning for `middleware.ts`; the project keeps the name its
 * design uses (see README).
 *
 * Runtime: Node.js, chosen by measurement. `next start`, wrk -t2 -c32 -d8s,
 * same build otherwise, one server at a time, on the 2-core dev machine
 * (2026-11-25; server CPU from /proc/<pid>/stat):
 *
 *                               Node.js                    Edge
 *   signed-in /students         197 req/s, 6.1 ms CPU/req  152 req/s, 8.1 ms CPU/req
 *   anonymous /students (307)   1634 req/s, 0.6 ms CPU/req 1028 req/s, 0.9 ms CPU/req
 *
 * On Node.js the middleware runs in the server's own process, so the page's
 * check finds the cookie already opened (lib/session/seal.ts's cache); the Edge
 * sandbox is separate and each request opens the cookie twice.
 */
import { NextResponse, type NextRequest } from "next/server";
import { audit } from "./lib/auth/audit";
import { clientIp } from "./lib/http/client-ip";
import { getConfig } from "./lib/config";
import { refusalResponse, requestLocale } from "./lib/http/error-pages";
import { screenRequest } from "./lib/http/request-guard";
import { contentSecurityPolicy, newNonce, policyMadeOnArrival } from "./lib/http/security-headers";
import { isGuarded } from "./lib/auth/guard";
import { loginPath } from "./lib/auth/safe-next";
import { readRequestSession } from "./lib/session";

/**
 * Next.js puts this request's nonce on the scripts it renders: the policy goes on the request and the
 * response, unless the app's Node.js server put it there on arrival (lib/http/security-headers.ts).
 */
function withPolicy(request: NextRequest, respond: (headersChanged: boolean) => NextResponse): NextResponse {
  if (policyMadeOnArrival(request.headers)) return respond(false);
  const csp = contentSecurityPolicy(newNonce());
  request.headers.set("content-security-policy", csp);
  const response = respond(true);
  response.headers.set("content-security-policy", csp);
  return response;
}

export async function middleware(request: NextRequest) {
  const screening = await screenRequest(request);
  if (screening?.status === 404) {
    // The app's own "not found" page, with its status, its look and its policy.
    return withPolicy(request, () =>
      NextResponse.rewrite(new URL("/_not-found", request.url), { request: { headers: request.headers } }),
    );
  }
  if (screening) return refusalResponse(screening, request.nextUrl.pathname, requestLocale(request));

  const session = await readRequestSession(request);
  if (session.rejected) {
    const { reason, tag } = session.rejected;
    audit("session.rejected", { reason, session: tag, ip: clientIp(request.headers, getConfig().trustProxy) });
  }
  const { pathname, search } = request.nextUrl;
  if (isGuarded(pathname) && !session.maybeSignedIn) {
    const url = new URL(loginPath(pathname + search), request.url);
    // 303 turns a form POST (a server action) into a GET of the login page.
    const status = request.method === "GET" || request.method === "HEAD" ? 307 : 303;
    return session.update(NextResponse.redirect(url, status));
  }
  return withPolicy(request, (headersChanged) =>
    session.update(headersChanged ? NextResponse.next({ request: { headers: request.headers } }) : NextResponse.next()),
  ); // with Vary: Cookie, which lib/http/node-hooks.ts adds to every response
}

export const config = {
  runtime: "nodejs",
  // Every page; not Next's build output, images, files with an extension, /healthz (plain text, no session)
  // or /unavailable (the 503 answer, with a policy of its own).
  matcher: ["/((?!_next/static|_next/image|favicon.ico|healthz$|unavailable$|.*\\.[a-z0-9]+$).*)"],
};
