"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { fieldErrors, formFields, text } from "@/lib/form";
import { destroySession, endSessions, SessionTooLargeError, StoreUnavailableError, updateSession } from "@/lib/session";
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

const UNAVAILABLE: PlaygroundState = {
  tone: "error",
  message: "Nothing was changed: the session service is unavailable right now. Try again in a moment.",
};

/** Runs a change; a store that does not answer becomes a message, with nothing written. */
async function safely(change: () => Promise<PlaygroundState>, kept: PlaygroundState = {}): Promise<PlaygroundState> {
  try {
    return await change();
  } catch (error) {
    if (error instanceof StoreUnavailableError) return { ...UNAVAILABLE, ...kept };
    if (error instanceof SessionTooLargeError) {
      return {
        tone: "error",
        message: `Not saved: ${error.message} Delete some keys or use a shorter value.`,
        ...kept,
      };
    }
    throw error;
  }
}

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
  return safely(
    async () => {
      await updateSession((data) => {
        data.values[key] = value;
      });
      return { tone: "success", message: `Set “${key}”.` };
    },
    { key, value },
  );
}

/** Flask: session.pop(key, None) */
export async function deleteValue(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const fields = formFields(formData, ["key"] as const);
  const parsed = DeleteSchema.safeParse(fields);
  if (!parsed.success) return invalid(parsed.error, fields);
  const { key } = parsed.data;
  return safely(
    async () => {
      let found = false;
      await updateSession((data) => {
        found = Object.hasOwn(data.values, key);
        delete data.values[key];
      });
      return found
        ? { tone: "success", message: `Deleted “${key}”.` }
        : { tone: "error", message: `There is no key “${key}” in the session.`, key };
    },
    { key },
  );
}

/** Flask: session.permanent = True / False */
export async function setPermanent(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const parsed = PermanentSchema.safeParse(formFields(formData, ["permanent"] as const));
  if (!parsed.success) return { tone: "error", message: parsed.error.issues[0].message };
  const permanent = parsed.data.permanent === "on";
  return safely(async () => {
    await updateSession((data) => {
      data.permanent = permanent;
    });
    return {
      tone: "success",
      message: permanent ? "The session is now permanent." : "The session now ends when the browser closes.",
    };
  });
}

/** Flask: session.clear(): everything goes, the signed-in user too. */
export async function clearSession(): Promise<PlaygroundState> {
  return safely(async () => {
    await destroySession();
    return { tone: "success", message: "The session was cleared." };
  });
}

const EndSchema = z.object({
  session: z.string({ error: "Choose a session." }).regex(/^([0-9a-f]{16}|all)$/, "Choose a session."),
});

/** Ends one of the signed-in user's sessions, or all of them ("Sign out everywhere"). */
export async function endSession(_previous: PlaygroundState, formData: FormData): Promise<PlaygroundState> {
  const parsed = EndSchema.safeParse(formFields(formData, ["session"] as const));
  if (!parsed.success) return { tone: "error", message: parsed.error.issues[0].message };
  const handle = parsed.data.session;
  let signedOutHere = false;
  const state = await safely(async () => {
    const result = await endSessions(handle);
    signedOutHere = result.signedOutHere;
    // Ending another device's session changes no cookie here, so the list is re-rendered explicitly.
    revalidatePath("/session");
    return result.ended > 0
      ? { tone: "success", message: `${result.ended} session${result.ended === 1 ? "" : "s"} ended.` }
      : { tone: "error", message: "That session had already ended." };
  });
  if (signedOutHere) redirect(handle === "all" ? "/login?signed-out=everywhere" : "/login?signed-out=1");
  return state;
}
