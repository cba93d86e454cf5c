/**
 * What every server action behind a form returns (React's useActionState
 * keeps it, and the form shows it): one shape for all of them, and one way
 * to turn a validation error into it.
 */
import type { z } from "zod";

export type FormState<Field extends string = never> = {
  /** What happened, or what went wrong, for the form's live region. */
  message?: string;
  tone?: "success" | "error";
  /** The first problem of each field, shown next to it. */
  fieldErrors?: Partial<Record<Field, string>>;
  /** What was typed, given back after an error so that nothing is lost (never a password). */
  values?: Partial<Record<Field, string>>;
};

export const succeeded = (message: string): FormState => ({ tone: "success", message });

export function failed<Field extends string = never>(
  message: string,
  values?: Partial<Record<Field, string>>,
): FormState<Field> {
  return { tone: "error", message, ...(values ? { values } : {}) };
}

/**
 * A form that did not validate: each field the form shows (`shown`) gets its
 * first problem next to it under `message`; a problem with anything else (a
 * hidden field, a button's value, a caller that sent no form at all) becomes
 * the message itself, since no field is there to show it.
 */
export function invalid<Field extends string>(
  error: z.ZodError,
  { message, shown, values }: { message: string; shown: readonly Field[]; values?: Partial<Record<Field, string>> },
): FormState<Field> {
  const fieldErrors: Partial<Record<Field, string>> = {};
  let other: string | undefined;
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "") as Field;
    if (shown.includes(field)) fieldErrors[field] ??= issue.message;
    else other ??= issue.message;
  }
  return {
    tone: "error",
    message: Object.keys(fieldErrors).length > 0 ? message : (other ?? message),
    fieldErrors,
    ...(values ? { values } : {}),
  };
}
