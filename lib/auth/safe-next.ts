/** Where to go after signing in when `next` is missing or unsafe. */
export const DEFAULT_AFTER_LOGIN = "/students";

/**
 * Returns `next` when it is a same-origin relative path, otherwise /students.
 *
 * Resolving against a throwaway origin and checking that the origin survived
 * catches every trick a string test misses: `//evil.example`, `/\evil.example`
 * (browsers read `\` as `/`), `https://evil.example`, `javascript:`, tabs and
 * newlines that URL parsers strip, and percent-encoded variants of them.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2048) return DEFAULT_AFTER_LOGIN;
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return DEFAULT_AFTER_LOGIN;
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return DEFAULT_AFTER_LOGIN;
  const base = "http://same-origin.invalid";
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return DEFAULT_AFTER_LOGIN;
  }
  if (url.origin !== base) return DEFAULT_AFTER_LOGIN;
  const path = url.pathname + url.search + url.hash;
  // A path that only turns into //host once decoded (/%2F%2Fevil.example) is
  // harmless here, but a proxy or another app on the way may decode it.
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return DEFAULT_AFTER_LOGIN;
  }
  if (decoded.startsWith("//") || decoded.startsWith("/\\")) return DEFAULT_AFTER_LOGIN;
  // A login page after login would loop; send those to the default.
  if (url.pathname === "/login") return DEFAULT_AFTER_LOGIN;
  return path;
}

/** The sign-in page, with `returnTo` as where to go after it. */
export function loginPath(returnTo: string): string {
  return `/login?${new URLSearchParams({ next: returnTo })}`;
}

/** The "session service unavailable" answer (503), with `returnTo` as what to try again. */
export function unavailablePath(returnTo: string): string {
  return `/unavailable?${new URLSearchParams({ next: returnTo })}`;
}
