/**
 * The session cookie itself: its attributes, its size limit, and how it is
 * expired. HttpOnly, SameSite=Lax, Path=/, Secure in production; a
 * browser-session cookie has no Max-Age, a permanent one does.
 */
import { MAX_COOKIE_BYTES, SessionTooLargeError } from "./errors";
import { shortHash } from "./short-hash";
import type { SessionConfig } from "./types";

export type CookieOptions = {
  httpOnly: true;
  secure: boolean;
  sameSite: "lax";
  path: "/";
  maxAge?: number;
};

/** A cookie to send: a seal, or "" with Max-Age=0 to expire it. */
export type SessionCookie = { value: string; options: CookieOptions };

function cookieOptions(config: SessionConfig, maxAge?: number): CookieOptions {
  const options: CookieOptions = { httpOnly: true, secure: config.production, sameSite: "lax", path: "/" };
  if (maxAge !== undefined) options.maxAge = maxAge;
  return options;
}

/** Bytes of the Set-Cookie header value that the browser will judge (an Expires is counted in case one is added). */
function setCookieBytes(name: string, value: string, options: CookieOptions): number {
  const attributes = `; Path=/; HttpOnly; SameSite=Lax${options.secure ? "; Secure" : ""}${
    options.maxAge !== undefined ? `; Max-Age=${options.maxAge}; Expires=Thu, 01 Jan 1970 00:00:00 GMT` : ""
  }`;
  return new TextEncoder().encode(`${name}=${value}${attributes}`).length;
}

/**
 * The cookie for a seal that lives `lifetime` seconds: permanent ones get
 * that Max-Age. Throws SessionTooLargeError when a browser would drop it.
 */
export function sessionCookie(
  config: SessionConfig,
  seal: string,
  permanent: boolean,
  lifetime: number,
): SessionCookie {
  const options = cookieOptions(config, permanent ? Math.max(1, lifetime) : undefined);
  const bytes = setCookieBytes(config.cookieName, seal, options);
  if (bytes > MAX_COOKIE_BYTES) throw new SessionTooLargeError(bytes);
  return { value: seal, options };
}

/**
 * An expired cookie, with the same attributes as the live one: a `__Host-`
 * cookie can only be replaced by a Secure, Path=/ Set-Cookie, so a plain
 * `cookies().delete()` would leave it in place.
 */
export function expiredCookie(config: SessionConfig): SessionCookie {
  return { value: "", options: cookieOptions(config, 0) };
}

/** Size of a cookie value in bytes. */
export const byteLength = (value: string) => new TextEncoder().encode(value).length;

/** A short hash of a cookie value: enough to follow one session through a log, useless to replay. */
export const cookieTag = (value: string) => shortHash(value, 12);
