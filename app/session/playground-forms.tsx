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

/** A form about one key of the session (set, delete): its heading, the key field, what else it needs, its result. */
function KeyForm({
  id,
  title,
  keyLabel,
  state,
  action,
  children,
}: {
  id: string;
  title: string;
  keyLabel: string;
  state: PlaygroundState;
  action: (formData: FormData) => void;
  children: React.ReactNode;
}) {
  return (
    <form action={action} className="space-y-3" aria-labelledby={`${id}-heading`} noValidate>
      <h2 id={`${id}-heading`} className="font-medium">
        {title}
      </h2>
      <KeyField idPrefix={id} state={state} label={keyLabel} />
      {children}
      <Result id={`${id}-message`} state={state} />
    </form>
  );
}

export function SetValueForm({ labels }: { labels: PlaygroundLabels }) {
  const [state, action] = useActionState(setValue, {});
  return (
    <KeyForm id="set" title={labels.setTitle} keyLabel={labels.key} state={state} action={action}>
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
      <SubmitButton pendingText={labels.saving}>{labels.set}</SubmitButton>
    </KeyForm>
  );
}

export function DeleteValueForm({ labels }: { labels: PlaygroundLabels }) {
  const [state, action] = useActionState(deleteValue, {});
  return (
    <KeyForm id="delete" title={labels.deleteTitle} keyLabel={labels.key} state={state} action={action}>
      <SubmitButton pendingText={labels.deleting} className={secondaryButton}>
        {labels.delete}
      </SubmitButton>
    </KeyForm>
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
    <form action={action} className="space-y-3">
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
