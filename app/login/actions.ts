"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { audit } from "@/lib/audit";
import { clientIp } from "@/lib/client-ip";
import { fieldErrors, formFields, text } from "@/lib/form";
import { getConfig } from "@/lib/config";
import { loginThrottle } from "@/lib/login-throttle";
import { safeNext } from "@/lib/safe-next";
import { signIn, StoreUnavailableError } from "@/lib/session";
import { verifyCredentials } from "@/lib/users";

const LoginSchema = z.object({
  username: text("your username")
    .trim()
    .min(1, "Enter your username.")
    .max(64, "A username has at most 64 characters."),
  password: text("your password").min(1, "Enter your password.").max(1024, "A password has at most 1024 characters."),
  remember: z.string().optional(),
  next: z.string().optional(),
});

export type LoginState = {
  message?: string;
  fieldErrors?: Partial<Record<"username" | "password", string>>;
  /** Given back so the form keeps what was typed; the password never is. */
  username?: string;
  remember?: boolean;
};

const UNAVAILABLE = "The session service is unavailable right now, so nobody can sign in. Try again in a moment.";

/** One message for a wrong name or a wrong password: it must not tell which. */
const BAD_CREDENTIALS = "Wrong username or password.";

export async function login(_previous: LoginState, formData: FormData): Promise<LoginState> {
  const fields = formFields(formData, ["username", "password", "remember", "next"] as const);
  const parsed = LoginSchema.safeParse(fields);
  const typed = typeof fields.username === "string" ? fields.username.slice(0, 64) : "";
  if (!parsed.success) {
    return {
      message: "Please correct the fields below.",
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
    outcome = await attempt(username, password, remember !== undefined, ip, kept);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    return { message: UNAVAILABLE, ...kept };
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
): Promise<LoginState | "signed-in"> {
  const throttle = loginThrottle(getConfig());
  // Refused before any hashing: a locked-out guesser costs the server nothing.
  const wait = await throttle.retryAfter(username, ip);
  if (wait > 0) {
    audit("signin.throttled", { user: username, ip, retryAfterSeconds: wait });
    return { message: tooManyAttempts(wait), ...kept };
  }

  const user = await verifyCredentials(username, password);
  if (!user) {
    const lockout = await throttle.recordFailure(username, ip);
    audit("signin.failure", { user: username, ip });
    return { message: lockout > 0 ? tooManyAttempts(lockout) : BAD_CREDENTIALS, ...kept };
  }
  await throttle.recordSuccess(username, ip);
  const session = await signIn(user, remember);
  audit("signin.success", { user, ip, session });
  return "signed-in";
}

function tooManyAttempts(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  const wait = seconds < 60 ? `${seconds} seconds` : `${minutes} minute${minutes === 1 ? "" : "s"}`;
  return `Too many failed sign-ins. Try again in ${wait}.`;
}
