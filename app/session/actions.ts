"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { audit } from "@/lib/auth/audit";
import { checkPassword } from "@/lib/auth/check-password";
import { verifySession } from "@/lib/auth/dal";
import { getConfig } from "@/lib/config";
import { formFields, text } from "@/lib/forms/fields";
import { failed, invalid, succeeded, type FormState } from "@/lib/forms/form-state";
import { whyNot } from "@/lib/forms/why-not";
import { formatApproxDuration } from "@/lib/i18n/format";
import type { Messages } from "@/lib/i18n/locales";
import { getMessages } from "@/lib/i18n/server";
import { destroySession, getSession, updateSession } from "@/lib/session";
import { FreshSignInRequiredError } from "@/lib/session/redis/errors";
import { keySchema } from "./keys";
import { MAX_VALUE_LENGTH } from "./limits";
import { shortUserAgent } from "./user-agent";

/** What each playground form shows after it ran. */
export type PlaygroundState = FormState<"key" | "value">;

type M = Messages["session"];

function writableKey(m: M) {
  // session["user"] is what signs a visitor in: the playground must not forge it (reading it is fine).
  return keySchema(m).refine((value) => value !== "user", m.keyReserved);
}

/** What was typed, given back after an error (trimmed to what the fields take). */
function typed(fields: { key?: unknown; value?: unknown }) {
  const keep = (value: unknown) => (typeof value === "string" ? value.slice(0, MAX_VALUE_LENGTH) : undefined);
  return { key: keep(fields.key), value: keep(fields.value) };
}

/** Flask: session[key] = value */
export async function setValue(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const { locale, m } = await getMessages();
  const fields = formFields(formData, ["key", "value"] as const);
  const parsed = z
    .object({
      key: writableKey(m.session),
      value: text(m.session.fieldValue, m.session.notText(m.session.fieldValue)).max(
        MAX_VALUE_LENGTH,
        m.session.valueTooLong(MAX_VALUE_LENGTH),
      ),
    })
    .safeParse(fields);
  if (!parsed.success) {
    return invalid(parsed.error, { message: m.forms.correctFields, shown: ["key", "value"], values: typed(fields) });
  }
  const { key, value } = parsed.data;
  try {
    await updateSession((data) => {
      data.values[key] = value;
    });
  } catch (error) {
    return failed(whyNot(error, { locale, m }, "change"), { key, value });
  }
  return succeeded(m.session.didSet(key));
}

/** Flask: session.pop(key, None) */
export async function deleteValue(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const { locale, m } = await getMessages();
  const fields = formFields(formData, ["key"] as const);
  const parsed = z.object({ key: writableKey(m.session) }).safeParse(fields);
  if (!parsed.success) {
    return invalid(parsed.error, { message: m.forms.correctFields, shown: ["key"], values: typed(fields) });
  }
  const { key } = parsed.data;
  let found: boolean;
  try {
    found = await updateSession((data) => {
      const had = Object.hasOwn(data.values, key);
      delete data.values[key];
      return had;
    });
  } catch (error) {
    return failed(whyNot(error, { locale, m }, "change"), { key });
  }
  return found ? succeeded(m.session.didDelete(key)) : failed(m.session.noSuchKey(key), { key });
}

/** Flask: session.permanent = True / False */
export async function setPermanent(_previous: FormState, formData: FormData): Promise<FormState> {
  const { locale, m } = await getMessages();
  const parsed = z
    .object({ permanent: z.enum(["on", "off"], { error: m.session.choosePermanent }) })
    .safeParse(formFields(formData, ["permanent"] as const));
  if (!parsed.success) return invalid(parsed.error, { message: m.forms.correctFields, shown: [] });
  const permanent = parsed.data.permanent === "on";
  try {
    await updateSession((data) => {
      data.permanent = permanent;
    });
  } catch (error) {
    return failed(whyNot(error, { locale, m }, "change"));
  }
  return succeeded(permanent ? m.session.nowPermanent : m.session.nowBrowserSession);
}

/** Flask: session.clear(): everything goes, the signed-in user too. */
export async function clearSession(): Promise<FormState> {
  const { locale, m } = await getMessages();
  let ended: { user?: string; tag?: string };
  try {
    ended = await destroySession();
  } catch (error) {
    return failed(whyNot(error, { locale, m }, "change"));
  }
  const { user, tag } = ended;
  if (user === undefined) return succeeded(m.session.cleared);
  audit("signout", { user, session: tag, ip: getConfig().clientAddress(await headers()) }); // a sign-out, as the button's
  return succeeded(m.session.clearedSignedOut(user));
}

/** The device list's forms share one result; `session` is the handle it is about, to show it in that row while there is one. */
export type EndSessionState = FormState<"password"> & { session?: string };

/**
 * Ends one of the signed-in user's sessions, or all of them ("Sign out
 * everywhere"). Ending another device's session needs a recent sign-in: past
 * SESSION_FRESH_AGE the form asks for the password, and this checks it (as
 * the login throttle allows; a wrong one counts) before it ends anything.
 */
export async function endSession(_previous: EndSessionState, formData: FormData): Promise<EndSessionState> {
  const { locale, m } = await getMessages();
  const fields = formFields(formData, ["session", "password"] as const);
  const parsed = z
    .object({
      session: z.string({ error: m.session.chooseSession }).regex(/^([0-9a-f]{16}|all)$/, m.session.chooseSession),
      password: z.string().max(1024, m.login.passwordTooLong).optional(),
    })
    .safeParse(fields);
  if (!parsed.success) return invalid(parsed.error, { message: m.forms.correctFields, shown: ["password"] });
  const { session: handle, password } = parsed.data;
  const { data } = await verifySession("/session");
  const config = getConfig();
  const ip = config.clientAddress(await headers());
  const about = (state: FormState<"password">): EndSessionState => ({ ...state, session: handle });
  const askAgain = (message: string) => about({ tone: "error", message, fieldErrors: { password: message } });
  let result: { ended: number; signedOutHere: boolean };
  // Its row goes once it is ended, so the message names it.
  let device: string | undefined;
  try {
    if (password) {
      const checked = await checkPassword(data.user, password, ip, { locale, m, purpose: "confirm" });
      if (checked.refused) return askAgain(checked.refused);
      audit("confirm.success", { user: data.user, ip });
      await updateSession((session) => void (session.authenticatedAt = Math.floor(Date.now() / 1000)));
    }
    const session = await getSession();
    const { store } = config.session;
    if (session && store && handle !== "all") {
      const ending = (await store.list(session)).find((active) => active.handle === handle);
      device = ending && shortUserAgent(ending.userAgent, m.session);
    }
    result = session && store ? await store.end(session, handle) : { ended: 0, signedOutHere: false };
    if (result.signedOutHere) await destroySession();
  } catch (error) {
    if (error instanceof FreshSignInRequiredError) {
      return askAgain(m.session.passwordToEnd(formatApproxDuration(config.freshAge, locale)));
    }
    return about(failed(whyNot(error, { locale, m }, "change")));
  }
  audit("sessions.ended", { user: data.user, ip, count: result.ended });
  if (result.signedOutHere) redirect(handle === "all" ? "/login?signed-out=everywhere" : "/login?signed-out=1");
  // Ending another device's session changes no cookie here, so the list is re-rendered explicitly.
  revalidatePath("/session");
  if (result.ended === 0) return about(failed(m.session.alreadyEnded));
  return about(succeeded(result.ended === 1 && device ? m.session.endedOn(device) : m.session.ended(result.ended)));
}
