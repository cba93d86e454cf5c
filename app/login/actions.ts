"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { clientIp } from "@/lib/client-ip";
import { fieldErrors, formFields, text } from "@/lib/form";
import { formatApproxDuration, type Locale, type Messages } from "@/lib/i18n/messages";
import { getMessages } from "@/lib/i18n/server";
import { getConfig } from "@/lib/config";
import { loginThrottle } from "@/lib/login-throttle";
import { safeNext } from "@/lib/safe-next";
import { signIn, StoreUnavailableError } from "@/lib/session";
import { verifyCredentials } from "@/lib/users";

function loginSchema(m: Messages["login"]) {
  return z.object({
    username: text(m.enterUsername, m.notText(m.username)).trim().min(1, m.enterUsername).max(64, m.usernameTooLong),
    password: text(m.enterPassword, m.notText(m.password)).min(1, m.enterPassword).max(1024, m.passwordTooLong),
    remember: z.string().optional(),
    next: z.string().optional(),
  });
}

export type LoginState = {
  message?: string;
  fieldErrors?: Partial<Record<"username" | "password", string>>;
  /** Given back so the form keeps what was typed; the password never is. */
  username?: string;
  remember?: boolean;
};

export async function login(_previous: LoginState, formData: FormData): Promise<LoginState> {
  const { locale, m } = await getMessages();
  const fields = formFields(formData, ["username", "password", "remember", "next"] as const);
  const parsed = loginSchema(m.login).safeParse(fields);
  const typed = typeof fields.username === "string" ? fields.username.slice(0, 64) : "";
  if (!parsed.success) {
    return {
      message: m.login.correctFields,
      fieldErrors: fieldErrors(parsed.error),
      username: typed,
      remember: fields.remember !== undefined,
    };
  }
  const { username, password, remember, next } = parsed.data;
  const kept = { username: typed, remember: remember !== undefined };
  const ip = clientIp(await headers());
  let outcome: LoginState | "signed-in";
  try {
    outcome = await attempt(username, password, remember !== undefined, ip, kept, { locale, m });
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    return { message: m.login.unavailable, ...kept };
  }
  if (outcome !== "signed-in") return outcome;
  redirect(safeNext(next));
}

async function attempt(
  username: string,
  password: string,
  remember: boolean,
  ip: string,
  kept: LoginState,
  { locale, m }: { locale: Locale; m: Messages },
): Promise<LoginState | "signed-in"> {
  const throttle = await loginThrottle(getConfig());
  // Refused before any hashing: a locked-out guesser costs the server nothing.
  const wait = await throttle.retryAfter(username, ip);
  if (wait > 0) {
    audit("signin.throttled", { user: username, ip, retryAfterSeconds: wait });
    return { message: m.login.tooMany(formatApproxDuration(wait, locale)), ...kept };
  }

  const user = await verifyCredentials(username, password);
  if (!user) {
    const lockout = await throttle.recordFailure(username, ip);
    audit("signin.failure", { user: username, ip });
    // One message for a wrong name or a wrong password: it must not tell which.
    return {
      message: lockout > 0 ? m.login.tooMany(formatApproxDuration(lockout, locale)) : m.login.badCredentials,
      ...kept,
    };
  }
  await throttle.recordSuccess(username, ip);
  const { tag } = await signIn(user, remember);
  audit("signin.success", { user, ip, session: tag });
  return "signed-in";
}
