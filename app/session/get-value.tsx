import { secondaryButton } from "@/app/ui/styles";
import { TextField } from "@/app/ui/text-field";
import type { Messages } from "@/lib/i18n/locales";
import { keySchema } from "./keys";
import { MAX_KEY_LENGTH, MAX_VALUE_LENGTH } from "./limits";

/**
 * Flask's /get, `session.get(key, "not set")`: a GET form that comes back as
 * /session?get=<key>, which the page passes here (the first `get` if there are several).
 */
export function GetValue({
  asked,
  contents,
  t,
}: {
  asked?: string | string[];
  contents: Record<string, string>;
  t: Messages["session"];
}) {
  const typed = Array.isArray(asked) ? asked[0] : asked;
  const parsed = typed === undefined ? undefined : keySchema(t).safeParse(typed);
  const key = parsed?.success ? parsed.data : undefined;
  return (
    // noValidate: the app's own message for an empty key, as the other forms give.
    <form method="get" action="/session" noValidate className="space-y-3" aria-labelledby="get-heading">
      <h2 id="get-heading" className="card-title">
        {t.getTitle}
      </h2>
      <div className="flex items-start gap-3">
        <div className="flex-1">
          <TextField
            id="get-key"
            label={t.key}
            name="get"
            type="text"
            required
            maxLength={MAX_KEY_LENGTH}
            autoComplete="off"
            spellCheck={false}
            defaultValue={typed?.slice(0, MAX_VALUE_LENGTH)}
            // The page comes again for the answer: the keyboard, and the view, go back to this form.
            autoFocus={typed !== undefined}
            error={parsed?.success === false ? parsed.error.issues[0].message : undefined}
          />
        </div>
        <button type="submit" className={`${secondaryButton} mt-6`}>
          {t.get}
        </button>
      </div>
      {key !== undefined ? (
        <p data-testid="get-result" className="text-sm wrap-break-word">
          {t.gotValue(key)}{" "}
          {Object.hasOwn(contents, key) ? (
            <code className="font-mono wrap-anywhere">{JSON.stringify(contents[key])}</code>
          ) : (
            <span className="text-slate-700 dark:text-slate-300">{t.notSet}</span>
          )}
        </p>
      ) : null}
    </form>
  );
}
