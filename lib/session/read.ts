/** Opening a cookie into a live session: unseal (cached), load from the store, check expiry. */
import { copySession, expiryReason } from "./policy";
import { forgetSeal, openSeal } from "./seal";
import type { SessionStore } from "./stores/types";
import type { RejectReason, SessionConfig, SessionData } from "./types";

export type Opened =
  | { data: SessionData; id?: string; userAgent?: string; reason?: undefined }
  | { reason: RejectReason; data?: undefined };

/** Anything that is not a live session (garbage, tampered, unknown key, expired, ended) comes back as a reason. */
export async function openCookie(
  sealed: string,
  now: number,
  config: SessionConfig,
  store: SessionStore,
): Promise<Opened> {
  const ref = await openSeal(sealed, config);
  if (typeof ref === "string") return { reason: ref };
  const loaded = await store.load(ref);
  if (!loaded) return { reason: "unknown-session" };
  const reason = expiryReason(loaded.data, now, config);
  if (reason) {
    forgetSeal(sealed);
    return { reason };
  }
  // A copy: callers may change it before writing it back, and the cache keeps the original.
  return { data: copySession(loaded.data), id: loaded.id, userAgent: loaded.userAgent };
}
