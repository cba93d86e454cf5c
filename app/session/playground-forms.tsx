"use client";

import { createContext, Fragment, useActionState, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { FormMessage } from "@/app/ui/form-message";
import { dangerButton, secondaryButton } from "@/app/ui/styles";
import { SubmitButton } from "@/app/ui/submit-button";
import { TextField } from "@/app/ui/text-field";
import type { FormState } from "@/lib/forms/form-state";
import { clearSession, deleteValue, endSession, setPermanent, setValue, type PlaygroundState } from "./actions";
import { MAX_KEY_LENGTH, MAX_VALUE_LENGTH } from "./limits";

/** How many times the session was cleared on this page, and how to say it was once more. */
const Cleared = createContext({ generation: 0, cleared: () => {} });

/** The playground: clearing the session starts its other forms afresh (what they said was about a session now gone). */
export function Playground({ children }: { children: React.ReactNode }) {
  const [generation, setGeneration] = useState(0);
  const cleared = useCallback(() => setGeneration((count) => count + 1), []);
  const value = useMemo(() => ({ generation, cleared }), [generation, cleared]);
  return <Cleared.Provider value={value}>{children}</Cleared.Provider>;
}

/** A form that starts afresh, its message and what was typed gone, when the session is cleared. */
export function Afresh({ children }: { children: React.ReactNode }) {
  return <Fragment key={useContext(Cleared).generation}>{children}</Fragment>;
}

/** The forms' words, in the visitor's language (resolved by the page, which is a server component). */
export type PlaygroundLabels = {
  key: string;
  value: string;
  setTitle: string;
  set: string;
  saving: string;
  deleteTitle: string;
  delete: string;
  deleting: string;
  makePermanent: string;
  makeBrowserSession: string;
  clear: string;
  clearing: string;
  ending: string;
};

function KeyField({ idPrefix, state, label }: { idPrefix: string; state: PlaygroundState; label: string }) {
  return (
    <TextField
      id={`${idPrefix}-key`}
      label={label}
      name="key"
      type="text"
      required
      maxLength={MAX_KEY_LENGTH}
      autoComplete="off"
      spellCheck={false}
      defaultValue={state.values?.key}
      error={state.fieldErrors?.key}
    />
  );
}

function Result({ id, state }: { id: string; state: FormState<string> }) {
  return <FormMessage id={id} message={state.message} tone={state.tone ?? "success"} />;
}

export function SetValueForm({ labels }: { labels: PlaygroundLabels }) {
  const [state, action] = useActionState(setValue, {});
  return (
    <form action={action} className="space-y-3" aria-labelledby="set-heading" noValidate>
      <h2 id="set-heading" className="card-title">
        {labels.setTitle}
      </h2>
      <div className="grid gap-3 sm:grid-cols-2">
        <KeyField idPrefix="set" state={state} label={labels.key} />
        <TextField
          id="set-value"
          label={labels.value}
          name="value"
          type="text"
          maxLength={MAX_VALUE_LENGTH}
          autoComplete="off"
          defaultValue={state.values?.value}
          error={state.fieldErrors?.value}
        />
      </div>
      <SubmitButton pendingText={labels.saving}>{labels.set}</SubmitButton>
      <Result id="set-message" state={state} />
    </form>
  );
}

export function DeleteValueForm({ labels }: { labels: PlaygroundLabels }) {
  const [state, action] = useActionState(deleteValue, {});
  return (
    <form action={action} className="space-y-3" aria-labelledby="delete-heading" noValidate>
      <h2 id="delete-heading" className="card-title">
        {labels.deleteTitle}
      </h2>
      {/* The button beside the field, level with the input (below its label). */}
      <div className="flex items-start gap-3">
        <div className="flex-1">
          <KeyField idPrefix="delete" state={state} label={labels.key} />
        </div>
        <SubmitButton pendingText={labels.deleting} className={`${secondaryButton} mt-6`}>
          {labels.delete}
        </SubmitButton>
      </div>
      <Result id="delete-message" state={state} />
    </form>
  );
}

export function PermanentForm({ permanent, labels }: { permanent: boolean; labels: PlaygroundLabels }) {
  const [state, action] = useActionState(setPermanent, {});
  return (
    <form action={action} className="space-y-3">
      <SubmitButton
        pendingText={labels.saving}
        className={secondaryButton}
        name="permanent"
        value={permanent ? "off" : "on"}
      >
        {permanent ? labels.makeBrowserSession : labels.makePermanent}
      </SubmitButton>
      <Result id="permanent-message" state={state} />
    </form>
  );
}

export function ClearForm({ labels }: { labels: PlaygroundLabels }) {
  const [state, action] = useActionState<FormState, FormData>(clearSession, {});
  const { cleared } = useContext(Cleared);
  useEffect(() => {
    if (state.tone === "success") cleared();
  }, [state, cleared]);
  return (
    // At the card's far edge, away from the everyday button beside it.
    <form action={action} className="space-y-3 sm:justify-self-end sm:text-right">
      <SubmitButton pendingText={labels.clearing} className={dangerButton}>
        {labels.clear}
      </SubmitButton>
      <Result id="clear-message" state={state} />
    </form>
  );
}

/**
 * Ends one session, or all of them. When the sign-in is not recent, the
 * action asks for the password (a field error on `password`): the field
 * then appears here, and the same button sends it.
 */
export function EndSessionForm({
  handle,
  label,
  pending,
  passwordLabel,
}: {
  handle: string;
  label: string;
  pending: string;
  passwordLabel: string;
}) {
  const [state, action] = useActionState(endSession, {});
  const askPassword = state.fieldErrors?.password !== undefined;
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="session" value={handle} />
      {askPassword ? (
        <TextField
          id={`end-${handle}-password`}
          label={passwordLabel}
          name="password"
          type="password"
          autoComplete="current-password"
          autoFocus
          required
          maxLength={1024}
          error={state.fieldErrors?.password}
        />
      ) : null}
      <SubmitButton pendingText={pending} className={handle === "all" ? dangerButton : secondaryButton}>
        {label}
      </SubmitButton>
      <Result id={`end-${handle}-message`} state={state} />
    </form>
  );
}
