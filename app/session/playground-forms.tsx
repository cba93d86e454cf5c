"use client";

import { useActionState } from "react";
import { FormMessage } from "@/app/ui/form-message";
import { dangerButton, input, secondaryButton } from "@/app/ui/styles";
import { SubmitButton } from "@/app/ui/submit-button";
import { clearSession, deleteValue, endSession, setPermanent, setValue, type PlaygroundState } from "./actions";
import { MAX_KEY_LENGTH, MAX_VALUE_LENGTH } from "./limits";

function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? (
    <p id={id} className="text-sm text-red-700 dark:text-red-300">
      {message}
    </p>
  ) : null;
}

function KeyField({ idPrefix, state }: { idPrefix: string; state: PlaygroundState }) {
  const error = state.fieldErrors?.key;
  return (
    <div className="space-y-1">
      <label htmlFor={`${idPrefix}-key`} className="block text-sm font-medium">
        Key
      </label>
      <input
        id={`${idPrefix}-key`}
        name="key"
        type="text"
        required
        maxLength={MAX_KEY_LENGTH}
        autoComplete="off"
        spellCheck={false}
        defaultValue={state.key}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${idPrefix}-key-error` : undefined}
        className={input}
      />
      <FieldError id={`${idPrefix}-key-error`} message={error} />
    </div>
  );
}

export function SetValueForm() {
  const [state, action] = useActionState(setValue, {});
  const error = state.fieldErrors?.value;
  return (
    <form action={action} className="space-y-3" aria-labelledby="set-heading" noValidate>
      <h2 id="set-heading" className="font-medium">
        Set a key
      </h2>
      <KeyField idPrefix="set" state={state} />
      <div className="space-y-1">
        <label htmlFor="set-value" className="block text-sm font-medium">
          Value
        </label>
        <input
          id="set-value"
          name="value"
          type="text"
          maxLength={MAX_VALUE_LENGTH}
          autoComplete="off"
          defaultValue={state.value}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "set-value-error" : undefined}
          className={input}
        />
        <FieldError id="set-value-error" message={error} />
      </div>
      <SubmitButton pendingText="Saving…">Set</SubmitButton>
      <FormMessage id="set-message" message={state.message} tone={state.tone ?? "success"} />
    </form>
  );
}

export function DeleteValueForm() {
  const [state, action] = useActionState(deleteValue, {});
  return (
    <form action={action} className="space-y-3" aria-labelledby="delete-heading" noValidate>
      <h2 id="delete-heading" className="font-medium">
        Delete a key
      </h2>
      <KeyField idPrefix="delete" state={state} />
      <SubmitButton pendingText="Deleting…" className={secondaryButton}>
        Delete
      </SubmitButton>
      <FormMessage id="delete-message" message={state.message} tone={state.tone ?? "success"} />
    </form>
  );
}

export function PermanentForm({ permanent, lifetime }: { permanent: boolean; lifetime: string }) {
  const [state, action] = useActionState(setPermanent, {});
  return (
    <form action={action} className="space-y-3">
      {permanent ? (
        <SubmitButton pendingText="Saving…" className={secondaryButton} name="permanent" value="off">
          Make it a browser-session cookie
        </SubmitButton>
      ) : (
        <SubmitButton pendingText="Saving…" className={secondaryButton} name="permanent" value="on">
          Make it permanent ({lifetime})
        </SubmitButton>
      )}
      <FormMessage id="permanent-message" message={state.message} tone={state.tone ?? "success"} />
    </form>
  );
}

export function ClearForm() {
  const [state, action] = useActionState<PlaygroundState, FormData>(clearSession, {});
  return (
    <form action={action} className="space-y-3">
      <SubmitButton pendingText="Clearing…" className={dangerButton}>
        Clear the session
      </SubmitButton>
      <FormMessage id="clear-message" message={state.message} tone={state.tone ?? "success"} />
    </form>
  );
}

export function EndSessionForm({ handle, label }: { handle: string; label: string }) {
  const [state, action] = useActionState(endSession, {});
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="session" value={handle} />
      <SubmitButton pendingText="Ending…" className={handle === "all" ? dangerButton : secondaryButton}>
        {label}
      </SubmitButton>
      <FormMessage id={`end-${handle}-message`} message={state.message} tone={state.tone ?? "success"} />
    </form>
  );
}
