/** The playground's keys: what its set, get and delete forms accept, checked the same way for each. */
import { text } from "@/lib/forms/fields";
import type { Messages } from "@/lib/i18n/locales";
import { MAX_KEY_LENGTH } from "./limits";

export function keySchema(m: Messages["session"]) {
  return text(m.enterKey, m.notText(m.fieldKey))
    .trim()
    .min(1, m.enterKey)
    .max(MAX_KEY_LENGTH, m.keyTooLong(MAX_KEY_LENGTH))
    .regex(/^[A-Za-z0-9_.-]+$/, m.keyChars);
}
