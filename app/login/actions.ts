"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { audit } from "@/lib/auth/audit";
import { checkPassword } from "@/lib/auth/check-password";
import { safeNext } from "@/lib/auth/safe-next";
import { formFields, text } from "@/lib/forms/fields";
import { failed, invalid, type FormState } from "@/lib/forms/form-state";
import { whyNot } from "@/lib/forms/why-not";
import type { Messages } from "@/lib/i18n/locales";
import { getMessages } from "@/lib/i18n/server";
import { orUnavailable } from "@/lib/auth/dal";
import { getConfig } from "@/lib/config";
import { destroySession, signIn } from "@/lib/session";
import { offerBinding } from "@/lib/session/device-bound";

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
  const ip = getConfig().clientAddress(await headers());
  let refused: string | undefined;
  try {
    const checked = await checkPassword(username, password, ip, { locale, m, purpose: "signin" });
    refused = checked.refused;
    if (checked.user) {
      const { tag, createdAt } = await signIn(checked.user, remember !== undefined);
      audit("signin.success", { user: checked.user, ip, session: tag });
      await offerBinding(checked.user, createdAt); // a browser with DBSC may bind the session to its key
    }
  } catch (error) {
    refused = whyNot(error, { locale, m }, "sign-in");
  }
  if (refused) return failed(refused, kept);
  redirect(safeNext(next));
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
  audit("signout", { user, session: tag, ip: getConfig().clientAddress(await headers()) });
  redirect("/login?signed-out=1");
}
