/**
 * A password check as the login throttle allows it: refused before any
 * hashing while the account+address or the address is locked (or while the
 * attempts under way hold every place left), counted, cleared when right; every outcome goes to the audit log. For signing in, and for
 * confirming a password before something sensitive (ending sessions).
 */
import "server-only";
import { getConfig } from "@/lib/config";
import type { Locale, Messages } from "@/lib/i18n/locales";
import { formatApproxDuration } from "@/lib/i18n/format";
import { audit } from "./audit";
import { loginThrottle } from "./login-throttle";
import { verifyCredentials } from "./users";

type PasswordCheck = { user: string; refused?: undefined } | { refused: string; user?: undefined };

export async function checkPassword(
  username: string,
  password: string,
  ip: string,
  { locale, m, purpose }: { locale: Locale; m: Messages; purpose: "signin" | "confirm" },
): Promise<PasswordCheck> {
  const throttle = loginThrottle(getConfig());
  // Refused before any hashing: a locked-out guesser costs the server nothing.
  const { wait, busy, taken } = await throttle.attempt(username, ip);
  if (!taken) {
    audit(`${purpose}.throttled`, { user: username, ip, retryAfterSeconds: wait });
    const later = formatApproxDuration(wait, locale);
    return { refused: busy ? m.login.busy(later) : m.login.tooMany(later) };
  }
  const user = await verifyCredentials(username, password);
  if (!user) {
    const lockout = await throttle.recordFailure(username, ip, taken);
    audit(`${purpose}.failure`, { user: username, ip });
    // One message for a wrong name or a wrong password: it must not tell which.
    return { refused: lockout > 0 ? m.login.tooMany(formatApproxDuration(lockout, locale)) : m.login.badCredentials };
  }
  await throttle.recordSuccess(username, ip);
  return { user };
}
