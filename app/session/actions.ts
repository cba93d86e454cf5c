"use server";

import { z } from "zod";
import { fieldErrors, formFields, text } from "@/lib/form";
import { destroySession, SessionTooLargeError, updateSession } from "@/lib/session";
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

const key = text("a key")
  .trim()
  .min(1, "Enter a key.")
  .max(MAX_KEY_LENGTH, `A key has at most ${MAX_KEY_LENGTH} characters.`)
  .regex(/^[A-Za-z0-9_.-]+$/, "A key may use letters, digits, and _ . - only.")
  // session["user"] is what signs a visitor in: the playground must not forge it.
  .refine((value) => value !== "user", "“user” is reserved for signing in; pick another key.");

const SetSchema = z.object({
  key,
  value: text("a value").max(MAX_VALUE_LENGTH, `A value has at most ${MAX_VALUE_LENGTH} characters.`),
});
const DeleteSchema = z.object({ key });
const PermanentSchema = z.object({ permanent: z.enum(["on", "off"], { error: "Choose permanent or not." }) });

const typed = (value: unknown) => (typeof value === "string" ? value.slice(0, MAX_VALUE_LENGTH) : undefined);

function invalid(error: z.ZodError, fields: Record<string, unknown>): PlaygroundState {
  return {
    tone: "error",
    message: "Please correct the fields below.",
    fieldErrors: fieldErrors(error),
    key: typed(fields.key),
    value: typed(fields.value),
  };
}

/** Flask: session[key] = value */
export async function setValue(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const fields = formFields(formData, ["key", "value"] as const);
  const parsed = SetSchema.safeParse(fields);
  if (!parsed.success) return invalid(parsed.error, fields);
  const { key, value } = parsed.data;
  try {
    await updateSession((data) => {
      data.values[key] = value;
    });
  } catch (error) {
    if (!(error instanceof SessionTooLargeError)) throw error;
    return {
      tone: "error",
      message: `Not saved: ${error.message} Delete some keys or use a shorter value.`,
      key,
      value,
    };
  }
  return { tone: "success", message: `Set “${key}”.` };
}

/** Flask: session.pop(key, None) */
export async function deleteValue(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const fields = formFields(formData, ["key"] as const);
  const parsed = DeleteSchema.safeParse(fields);
  if (!parsed.success) return invalid(parsed.error, fields);
  const { key } = parsed.data;
  let found = false;
  await updateSession((data) => {
    found = Object.hasOwn(data.values, key);
    delete data.values[key];
  });
  return found
    ? { tone: "success", message: `Deleted “${key}”.` }
    : { tone: "error", message: `There is no key “${key}” in the session.`, key };
}

/** Flask: session.permanent = True / False */
export async function setPermanent(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const parsed = PermanentSchema.safeParse(formFields(formData, ["permanent"] as const));
  if (!parsed.success) return { tone: "error", message: parsed.error.issues[0].message };
  const permanent = parsed.data.permanent === "on";
  await updateSession((data) => {
    data.permanent = permanent;
  });
  return {
    tone: "success",
    message: permanent ? "The session is now permanent." : "The session now ends when the browser closes.",
  };
}

/** Flask: session.clear(): everything goes, the signed-in user too. */
export async function clearSession(): Promise<PlaygroundState> {
  await destroySession();
  return { tone: "success", message: "The session was cleared." };
}
