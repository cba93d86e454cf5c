/**
 * The security headers: the fixed ones (fixed-headers.json) go on every
 * response Next.js sends (next.config.ts headers()) and on what `npm start`'s
 * own server answers (scripts/server.mjs); the Content-Security-Policy needs a
 * fresh nonce per page and is made in middleware.ts, as Next's CSP guide shows.
 */
import { randomBytes } from "node:crypto";
import FIXED from "./fixed-headers.json";

/** The fixed headers for next.config.ts; Strict-Transport-Security in production only (a dev server is plain http). */
export function staticHeaders(production: boolean): { key: string; value: string }[] {
  return Object.entries(FIXED)
    .filter(([key]) => production || key !== "Strict-Transport-Security")
    .map(([key, value]) => ({ key, value }));
}

/**
 * A strict, nonce-based policy: only scripts that Next.js renders with this
 * request's nonce run ('strict-dynamic' lets them load their chunks).
 * Development adds what React's dev tooling needs (eval, hot reload socket).
 */
export function contentSecurityPolicy(nonce: string, production = process.env.NODE_ENV === "production"): string {
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

/** 128 random bits. node:crypto's, not the global crypto.getRandomValues, which Next wraps on every call. */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}
