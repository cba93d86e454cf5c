/**
 * Why a sign-in or a change of the session did not happen, in words for the
 * form: the session layer's and the store's refusals. Any other error is not
 * the visitor's to read, and is thrown on (to error.tsx).
 */
import { formatApproxDuration } from "@/lib/i18n/format";
import type { Locale, Messages } from "@/lib/i18n/locales";
import { SessionTooLargeError } from "@/lib/session";
import {
  RecordTooLargeError,
  SessionEndedError,
  StoreUnavailableError,
  TooManySessionsError,
} from "@/lib/session/redis/errors";

export function whyNot(
  error: unknown,
  { locale, m }: { locale: Locale; m: Messages },
  during: "sign-in" | "change",
): string {
  const signIn = during === "sign-in";
  if (error instanceof StoreUnavailableError) return signIn ? m.login.unavailable : m.session.unavailable;
  if (error instanceof TooManySessionsError) {
    return m.forms.tooManySessions(formatApproxDuration(error.retryAfterSeconds, locale));
  }
  // Ended on another device between reading and writing it: nothing written.
  if (error instanceof SessionEndedError) return m.session.alreadyEnded;
  // At sign-in: the values set before carry over, and the sign-in's own fields no longer fit beside them.
  const tooLarge = signIn ? m.login.sessionTooLarge : m.session.tooLarge;
  if (error instanceof SessionTooLargeError) return tooLarge(m.session.cookieTooLarge(error.bytes, error.limit));
  if (error instanceof RecordTooLargeError) return tooLarge(m.session.storeTooLarge(error.bytes, error.limit));
  throw error;
}
