/**
 * The guard: /students and everything below it need a session; anyone else
 * is sent to /login?next=<where they were going>. This is the optimistic
 * check (the cookie only, never the store): pages and server actions check
 * again with verifySession(), because every server action is a public endpoint.
 *
 * It runs on every page because it also keeps the cookie up to date (a
 * session in use slides forward, a dead cookie is expired) and makes each
 * page's nonce Content-Security-Policy, as Next's CSP guide shows. It may run
 * in a process of its own (Vercel does that): it shares nothing with the
 * pages but the request it hands on.
 *
 * Next.js 16 renamed this file convention to `proxy.ts`; the project keeps the
 * name its design uses. Why, and why the Node.js runtime: docs/decisions.md.
 */
import { NextResponse, type NextRequest } from "next/server";
import { audit } from "./lib/auth/audit";
import { isGuarded } from "./lib/auth/guard";
import { loginPath } from "./lib/auth/safe-next";
import { getConfig } from "./lib/config";
import { refusalResponse, requestLocale } from "./lib/http/error-pages";
import { screenRequest } from "./lib/http/request-guard";
import { contentSecurityPolicy, newNonce } from "./lib/http/security-headers";
import { readRequestSession } from "./lib/session";
import { handOffer } from "./lib/session/device-offer";

export async function middleware(request: NextRequest) {
  const screening = await screenRequest(request);
  if (screening && screening.status !== 404) {
    return refusalResponse(screening, request.nextUrl.pathname, requestLocale(request));
  }
  const session = await readRequestSession(request);
  if (session.rejected) {
    const { reason, tag } = session.rejected;
    audit("session.rejected", { reason, session: tag, ip: getConfig().clientAddress(request.headers) });
  }
  const { pathname, search } = request.nextUrl;
  if (isGuarded(pathname) && !session.maybeSignedIn && screening === null) {
    const url = new URL(loginPath(pathname + search), request.url);
    // 303 turns a form POST (a server action) into a GET of the login page.
    const status = request.method === "GET" || request.method === "HEAD" ? 307 : 303;
    return session.update(withVary(NextResponse.redirect(url, status)));
  }
  // Next.js puts the nonce it finds in the request's policy on the scripts it renders.
  const policy = contentSecurityPolicy(newNonce());
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response =
    screening === null
      ? NextResponse.next({ request: { headers } })
      : // A path segment that cannot be decoded: the app's own "not found" page, with its 404 status.
        NextResponse.rewrite(new URL("/_not-found", request.url), { request: { headers } });
  response.headers.set("content-security-policy", policy);
  handOffer(request, response, getConfig().session, session.maybeSignedIn); // after sign-in: DBSC's registration
  return session.update(withVary(response));
}

/** What the middleware answers depends on the session cookie: caches must key it on it. */
function withVary<R extends NextResponse>(response: R): R {
  response.headers.set("vary", "Cookie");
  return response;
}

export const config = {
  runtime: "nodejs",
  // Every page; not Next's build output, the icon, /healthz (plain text, no session), /unavailable (the
  // 503 answer, with a policy of its own) or /auth/dbsc/ (DBSC's endpoints, which write the session's cookies).
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg|healthz$|unavailable$|auth/dbsc/).*)"],
};
