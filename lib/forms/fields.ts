/** Reading a form for a zod schema, the way every server action here does. */
import { z } from "zod";

/**
 * Reads the named fields of a form as plain values for a zod schema: a
 * missing field is undefined, a repeated field counts once (its first
 * value), and anything that is not text (a file) is kept as it is so that
 * the schema refuses it with a message instead of coercing it.
 */
export function formFields<K extends string>(formData: unknown, names: readonly K[]): Record<K, unknown> {
  const fields = {} as Record<K, unknown>;
  // A server action is a public endpoint: a caller can pass anything, not only a form.
  if (!(formData instanceof FormData)) return fields;
  for (const name of names) {
    const value = formData.get(name);
    fields[name] = value === null ? undefined : value;
  }
  return fields;
}

/** A required text field with a message for "missing" and one for "not text" (a file, say). */
export function text(missing: string, notText: string) {
  return z.string({ error: (issue) => (issue.input === undefined ? missing : notText) });
}
