"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { audit } from "@/lib/auth/audit";
import { loginThrottle } from "@/lib/auth/login-throttle";
import { safeNext } from "@/lib/auth/safe-next";
import { verifyCredentials } from "@/lib/auth/users";
import { getConfig } from "@/lib/config";
import { formFields, text } from "@/lib/forms/fields";
import { failed, invalid, type FormState } from "@/lib/forms/form-state";
import { clientIp } from "@/lib/http/client-ip";
import { formatApproxDuration } from "@/lib/i18n/format";
import type { Locale, Messages } from "@/lib/i18n/locales";
import { getMessages } from "@/lib/i18n/server";
import { destroySession, orUnavailable, signIn, StoreUnavailableError } from "@/lib/session";

type LoginField = "username" | "password" | "remember";
export type LoginState = FormState<LoginField>;

function loginSchema(m: Messages["login"]) {
  return z.object({
    username: text(m.enterUsername, m.notText(m.username)).trim().min(1, m.enterUsername).max(64, m.usernameTooLong),
    password: text(m.enterPassword, m.notText(m.password)).min(1, m.enterPassword).max(1024, m.passwordTooLong),
    remember: z.string().optional(),
    next: z.string().optional(),
  });
}

/** Signs in and goes to `next`; or says why not, keeping what was typed (never the password). */
export async function login(_previous: LoginState, formData: FormData): Promise<LoginState> {
  const { locale, m } = await getMessages();
  const fields = formFields(formData, ["username", "password", "remember", "next"] as const);
  const kept = {
    username: typeof fields.username === "string" ? fields.username.slice(0, 64) : "",
    ...(fields.remember !== undefined ? { remember: "on" } : {}),
  };
  const parsed = loginSchema(m.login).safeParse(fields);
  if (!parsed.success) {
    return invalid(parsed.error, { message: m.forms.correctFields, shown: ["username", "password"], values: kept });
  }
  const { username, password, remember, next } = parsed.data;
  const ip = clientIp(await headers());
  const refused = await signInOrRefuse(username, password, remember !== undefined, ip, { locale, m }).catch(
    (error: unknown) => {
      if (error instanceof StoreUnavailableError) return m.login.unavailable;
      throw error;
    },
  );
  if (refused) return failed(refused, kept);
  redirect(safeNext(next));
}

/** Signs the user in, or returns why not (the form's message). */
async function signInOrRefuse(
  username: string,
  password: string,
  remember: boolean,
  ip: string,
  { locale, m }: { locale: Locale; m: Messages },
): Promise<string | undefined> {
  const throttle = await loginThrottle(getConfig());
  // Refused before any hashing: a locked-out guesser costs the server nothing.
  const wait = await throttle.retryAfter(username, ip);
  if (wait > 0) {
    audit("signin.throttled", { user: username, ip, retryAfterSeconds: wait });
    return m.login.tooMany(formatApproxDuration(wait, locale));
  }
  const user = await verifyCredentials(username, password);
  if (!user) {
    const lockout = await throttle.recordFailure(username, ip);
    audit("signin.failure", { user: username, ip });
    // One message for a wrong name or a wrong password: it must not tell which.
    return lockout > 0 ? m.login.tooMany(formatApproxDuration(lockout, locale)) : m.login.badCredentials;
  }
  await throttle.recordSuccess(username, ip);
  const { tag } = await signIn(user, remember);
  audit("signin.success", { user, ip, session: tag });
  return undefined;
}

/**
 * Ends the session, whoever calls it: signing out needs no proof of being
 * signed in. When the store does not answer, nothing is ended (the record
 * could not be deleted, so the cookie is kept too) and the visitor gets the
 * "session service unavailable" answer.
 *
 * No Clear-Site-Data header: "cookies" would wipe every cookie of the whole
 * registrable domain (other apps on sibling subdomains too), while the
 * session cookie is expired here precisely; "cache" has nothing to clear,
 * as every page that depends on the session is sent `no-store`. (A server
 * action cannot set response headers either.)
 */
export async function logout(): Promise<void> {
  const { user, tag } = await orUnavailable("/students", destroySession);
  audit("signout", { user, session: tag, ip: clientIp(await headers()) });
  redirect("/login?signed-out=1");
}
