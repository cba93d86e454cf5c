"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { formFields, text } from "@/lib/forms/fields";
import { failed, invalid, succeeded, type FormState } from "@/lib/forms/form-state";
import type { Messages } from "@/lib/i18n/locales";
import { getMessages } from "@/lib/i18n/server";
import {
  destroySession,
  endSessions,
  SessionEndedError,
  SessionTooLargeError,
  StoreUnavailableError,
  updateSession,
} from "@/lib/session";
import { MAX_KEY_LENGTH, MAX_VALUE_LENGTH } from "./limits";

/** What each playground form shows after it ran. */
export type PlaygroundState = FormState<"key" | "value">;

type M = Messages["session"];

function keySchema(m: M) {
  return (
    text(m.enterKey, m.notText(m.fieldKey))
      .trim()
      .min(1, m.enterKey)
      .max(MAX_KEY_LENGTH, m.keyTooLong(MAX_KEY_LENGTH))
      .regex(/^[A-Za-z0-9_.-]+$/, m.keyChars)
      // session["user"] is what signs a visitor in: the playground must not forge it.
      .refine((value) => value !== "user", m.keyReserved)
  );
}

/** Why a change of the session did not happen, for the visitor; any other error is not theirs to read. */
function whyNot(error: unknown, m: M): string {
  if (error instanceof StoreUnavailableError) return m.unavailable;
  // Ended on another device between reading and writing it: nothing written.
  if (error instanceof SessionEndedError) return m.alreadyEnded;
  if (error instanceof SessionTooLargeError) {
    const detail =
      error.where === "cookie" ? m.cookieTooLarge(error.bytes, error.limit) : m.storeTooLarge(error.bytes, error.limit);
    return m.tooLarge(detail);
  }
  throw error;
}

/** What was typed, given back after an error (trimmed to what the fields take). */
function typed(fields: { key?: unknown; value?: unknown }) {
  const keep = (value: unknown) => (typeof value === "string" ? value.slice(0, MAX_VALUE_LENGTH) : undefined);
  return { key: keep(fields.key), value: keep(fields.value) };
}

/** Flask: session[key] = value */
export async function setValue(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const { m } = await getMessages();
  const fields = formFields(formData, ["key", "value"] as const);
  const parsed = z
    .object({
      key: keySchema(m.session),
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
    return failed(whyNot(error, m.session), { key, value });
  }
  return succeeded(m.session.didSet(key));
}

/** Flask: session.pop(key, None) */
export async function deleteValue(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const { m } = await getMessages();
  const fields = formFields(formData, ["key"] as const);
  const parsed = z.object({ key: keySchema(m.session) }).safeParse(fields);
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
    return failed(whyNot(error, m.session), { key });
  }
  return found ? succeeded(m.session.didDelete(key)) : failed(m.session.noSuchKey(key), { key });
}

/** Flask: session.permanent = True / False */
export async function setPermanent(_previous: FormState, formData: FormData): Promise<FormState> {
  const { m } = await getMessages();
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
    return failed(whyNot(error, m.session));
  }
  return succeeded(permanent ? m.session.nowPermanent : m.session.nowBrowserSession);
}

/** Flask: session.clear(): everything goes, the signed-in user too. */
export async function clearSession(): Promise<FormState> {
  const { m } = await getMessages();
  try {
    await destroySession();
  } catch (error) {
    return failed(whyNot(error, m.session));
  }
  return succeeded(m.session.cleared);
}

/** Ends one of the signed-in user's sessions, or all of them ("Sign out everywhere"). */
export async function endSession(_previous: FormState, formData: FormData): Promise<FormState> {
  const { m } = await getMessages();
  const parsed = z
    .object({
      session: z.string({ error: m.session.chooseSession }).regex(/^([0-9a-f]{16}|all)$/, m.session.chooseSession),
    })
    .safeParse(formFields(formData, ["session"] as const));
  if (!parsed.success) return invalid(parsed.error, { message: m.forms.correctFields, shown: [] });
  const handle = parsed.data.session;
  let result: { ended: number; signedOutHere: boolean };
  try {
    result = await endSessions(handle);
  } catch (error) {
    return failed(whyNot(error, m.session));
  }
  if (result.signedOutHere) redirect(handle === "all" ? "/login?signed-out=everywhere" : "/login?signed-out=1");
  // Ending another device's session changes no cookie here, so the list is re-rendered explicitly.
  revalidatePath("/session");
  return result.ended > 0 ? succeeded(m.session.ended(result.ended)) : failed(m.session.alreadyEnded);
}
