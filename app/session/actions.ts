"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { fieldErrors, formFields, text } from "@/lib/form";
import type { Messages } from "@/lib/i18n/messages";
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
export type PlaygroundState = {
  message?: string;
  tone?: "error" | "success";
  fieldErrors?: Partial<Record<"key" | "value", string>>;
  /** Given back after an error so nothing typed is lost. */
  key?: string;
  value?: string;
};

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

/** Runs a change; a store that does not answer, or a session too large, becomes a message, with nothing written. */
async function safely(m: M, change: () => Promise<PlaygroundState>, kept: PlaygroundState = {}) {
  try {
    return await change();
  } catch (error) {
    if (error instanceof StoreUnavailableError) return { tone: "error" as const, message: m.unavailable, ...kept };
    // Ended on another device between reading and writing it: nothing written.
    if (error instanceof SessionEndedError) return { tone: "error" as const, message: m.alreadyEnded, ...kept };
    if (error instanceof SessionTooLargeError) {
      const detail =
        error.where === "cookie"
          ? m.cookieTooLarge(error.bytes, error.limit)
          : m.storeTooLarge(error.bytes, error.limit);
      return { tone: "error" as const, message: m.tooLarge(detail), ...kept };
    }
    throw error;
  }
}

const typed = (value: unknown) => (typeof value === "string" ? value.slice(0, MAX_VALUE_LENGTH) : undefined);

function invalid(m: Messages, error: z.ZodError, fields: Record<string, unknown>): PlaygroundState {
  return {
    tone: "error",
    message: m.login.correctFields,
    fieldErrors: fieldErrors(error),
    key: typed(fields.key),
    value: typed(fields.value),
  };
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
  if (!parsed.success) return invalid(m, parsed.error, fields);
  const { key, value } = parsed.data;
  return safely(
    m.session,
    async () => {
      await updateSession((data) => {
        data.values[key] = value;
      });
      return { tone: "success", message: m.session.didSet(key) };
    },
    { key, value },
  );
}

/** Flask: session.pop(key, None) */
export async function deleteValue(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const { m } = await getMessages();
  const fields = formFields(formData, ["key"] as const);
  const parsed = z.object({ key: keySchema(m.session) }).safeParse(fields);
  if (!parsed.success) return invalid(m, parsed.error, fields);
  const { key } = parsed.data;
  return safely(
    m.session,
    async () => {
      let found = false;
      await updateSession((data) => {
        found = Object.hasOwn(data.values, key);
        delete data.values[key];
      });
      return found
        ? { tone: "success", message: m.session.didDelete(key) }
        : { tone: "error", message: m.session.noSuchKey(key), key };
    },
    { key },
  );
}

/** Flask: session.permanent = True / False */
export async function setPermanent(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const { m } = await getMessages();
  const parsed = z
    .object({ permanent: z.enum(["on", "off"], { error: m.session.choosePermanent }) })
    .safeParse(formFields(formData, ["permanent"] as const));
  if (!parsed.success) return { tone: "error", message: parsed.error.issues[0].message };
  const permanent = parsed.data.permanent === "on";
  return safely(m.session, async () => {
    await updateSession((data) => {
      data.permanent = permanent;
    });
    return { tone: "success", message: permanent ? m.session.nowPermanent : m.session.nowBrowserSession };
  });
}

/** Flask: session.clear(): everything goes, the signed-in user too. */
export async function clearSession(): Promise<PlaygroundState> {
  const { m } = await getMessages();
  return safely(m.session, async () => {
    await destroySession();
    return { tone: "success", message: m.session.cleared };
  });
}

/** Ends one of the signed-in user's sessions, or all of them ("Sign out everywhere"). */
export async function endSession(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const { m } = await getMessages();
  const parsed = z
    .object({
      session: z.string({ error: m.session.chooseSession }).regex(/^([0-9a-f]{16}|all)$/, m.session.chooseSession),
    })
    .safeParse(formFields(formData, ["session"] as const));
  if (!parsed.success) return { tone: "error", message: parsed.error.issues[0].message };
  const handle = parsed.data.session;
  let signedOutHere = false;
  const state = await safely(m.session, async () => {
    const result = await endSessions(handle);
    signedOutHere = result.signedOutHere;
    // Ending another device's session changes no cookie here, so the list is re-rendered explicitly.
    revalidatePath("/session");
    return result.ended > 0
      ? { tone: "success", message: m.session.ended(result.ended) }
      : { tone: "error", message: m.session.alreadyEnded };
  });
  if (signedOutHere) redirect(handle === "all" ? "/login?signed-out=everywhere" : "/login?signed-out=1");
  return state;
}
