/**
 * Every security header the app sends, in one place: next.config.ts sends
 * the fixed ones on every response (pages and static files); the
 * Content-Security-Policy needs a fresh nonce per page, and is made as the
 * request arrives (see policyOnArrival).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isGuarded } from "../auth/guard";
import { isProduction, sessionConfig } from "../config";

export const STATIC_HEADERS: { key: string; value: string }[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  {
    key: "Permissions-Policy",
    value:
      "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()",
  },
  ...(isProduction() ? [{ key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }] : []),
];

/**
 * A strict, nonce-based policy: only scripts that Next.js renders with this
 * request's nonce run ('strict-dynamic' lets them load their chunks).
 * Development adds what React's dev tooling needs (eval, hot reload socket).
 */
export function contentSecurityPolicy(nonce: string): string {
  const production = isProduction();
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${production ? "" : " 'unsafe-eval'"}`,
    `style-src 'self'${production ? "" : " 'unsafe-inline'"}`,
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${production ? "" : " ws:"}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Next.js puts the nonce it finds in the request's Content-Security-Policy
 * header on the scripts it renders, so the policy goes on the request and
 * on the response. On the app's own Node.js server (`next start`, `next
 * dev`) lib/http/node-hooks.ts does it as each request arrives, and marks
 * the request with a value only this process knows; the middleware then
 * leaves the request alone. (Changing a request's headers in the middleware
 * costs Next.js a copy of all of them, on every page: measured in
 * bench/README.md.) Where the server is not Node's own, the mark is missing
 * and the middleware makes the policy itself.
 */
const POLICY_MARK = "x-next-sessions-policy";
const MARK_SLOT = Symbol.for("next-sessions.policy-mark");

function processMark(): string {
  const slots = globalThis as unknown as Record<symbol, string | undefined>;
  return (slots[MARK_SLOT] ??= newNonce());
}

/**
 * Whether the middleware will surely send this request to sign in (a guarded
 * page and no session cookie at all), so that no page, and no policy, comes
 * of it: a redirect made cheaper by a tenth. Only a shortcut: a request it
 * misses gets a policy it did not need, and one that is not sent away after
 * all gets the middleware's own.
 */
function surelySentToSignIn(request: IncomingMessage): boolean {
  const pathname = (request.url ?? "/").split("?", 1)[0];
  // A path with a dot may be one the middleware's matcher leaves out (files): then nobody else would make the policy.
  if (!isGuarded(pathname) || pathname.includes(".")) return false;
  let cookieName: string;
  try {
    cookieName = sessionConfig().cookieName;
  } catch {
    return false; // a configuration error is the pages' to report
  }
  return !(request.headers.cookie ?? "").includes(`${cookieName}=`);
}

/** The policy for a request as it reaches Node's HTTP server (not for Next's build files, nor a sure redirect). */
export function policyOnArrival(request: IncomingMessage, response: ServerResponse): void {
  if (request.url?.startsWith("/_next/static/") || request.url?.startsWith("/unavailable")) return;
  if (surelySentToSignIn(request)) {
    // Nothing of the client's may pass for a policy, should a page come of it after all.
    delete request.headers["content-security-policy"];
    delete request.headers[POLICY_MARK];
    return;
  }
  const policy = contentSecurityPolicy(newNonce());
  request.headers["content-security-policy"] = policy;
  request.headers[POLICY_MARK] = processMark();
  response.setHeader("content-security-policy", policy);
}

/** Whether the request already carries a policy made on arrival (by this process, not by the client). */
export function policyMadeOnArrival(headers: Headers): boolean {
  return headers.get(POLICY_MARK) === processMark();
}
