/**
 * What the middleware learns from the cookie alone (it never calls a
 * store): whether the visitor may be signed in, and how to bring the
 * browser's cookie up to date. In the cookie store it knows the whole
 * session: a live one slides forward when its refresh interval has passed,
 * a dead one is expired. In a server-side store it only knows that the
 * cookie is genuine; the page asks the store.
 */
import { cookieTag, expiredCookie, type SessionCookie } from "./cookie";
import { copySession, expiryReason, nowSeconds, refreshDue } from "./policy";
import { openSeal } from "./seal";
import type { RejectReason, SessionConfig } from "./types";
import { sealCookieSession } from "./write";

export type ProxyView = {
  /** Cookie store: a live session with a user. Server-side store: a genuine cookie. */
  maybeSignedIn: boolean;
  /** Why the request's cookie was refused, if it had one that was, and the cookie's tag for the log. */
  rejected?: { reason: RejectReason; tag: string };
  /** Whether the session lives in a server-side store, which can be down. */
  usesServerStore: boolean;
  /** The cookie to send back (refreshed, or expired), or null to leave it as it is. */
  update: SessionCookie | null;
};

export async function inspectCookie(
  sealed: string | undefined,
  config: SessionConfig,
  now: number = nowSeconds(),
): Promise<ProxyView> {
  const view: ProxyView = { maybeSignedIn: false, usesServerStore: config.store.kind !== "cookie", update: null };
  if (!sealed) return view;
  const ref = await openSeal(sealed, config);
  let reason: RejectReason | undefined;
  if (typeof ref === "string") {
    reason = ref;
  } else if (!ref.data) {
    view.maybeSignedIn = true; // an id: only the store can say more, and the middleware does not ask it
  } else {
    const data = copySession(ref.data);
    reason = expiryReason(data, now, config) ?? undefined;
    view.maybeSignedIn = !reason && data.user !== undefined;
    if (!reason && refreshDue(data, now, config)) {
      data.refreshedAt = now;
      view.update = await sealCookieSession(data, config, now).catch(() => null); // it fitted before; keep it if not
    }
  }
  if (reason) {
    view.update = expiredCookie(config);
    view.rejected = { reason, tag: await cookieTag(sealed) };
  }
  return view;
}
