"use client";

import { createContext, Fragment, useActionState, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { FormMessage } from "@/app/ui/form-message";
import { dangerButton, secondaryButton } from "@/app/ui/styles";
import { SubmitButton } from "@/app/ui/submit-button";
import { TextField } from "@/app/ui/text-field";
import type { FormState } from "@/lib/forms/form-state";
import {
  clearSession,
  deleteValue,
  endSession,
  setPermanent,
  setValue,
  type EndSessionState,
  type PlaygroundState,
} from "./actions";
import { MAX_KEY_LENGTH, MAX_VALUE_LENGTH } from "./limits";

/** How many times the session was cleared on this page, and which form was sent last; and how to say so. */
type PlaygroundShared = {
  generation: number;
  cleared: () => void;
  latest: string | null;
  sent: (form: string) => void;
};
const Shared = createContext<PlaygroundShared>({ generation: 0, cleared: () => {}, latest: null, sent: () => {} });

/**
 * The playground: clearing the session starts its other forms afresh (what they said was about a session
 * now gone), and only the form sent last shows its message (an earlier one's may no longer be true:
 * "Deleted" after the key was set again).
 */
export function Playground({ children }: { children: React.ReactNode }) {
  const [generation, setGeneration] = useState(0);
  const [latest, setLatest] = useState<string | null>(null);
  const cleared = useCallback(() => setGeneration((count) => count + 1), []);
  const value = useMemo(() => ({ generation, cleared, latest, sent: setLatest }), [generation, cleared, latest]);
  return <Shared.Provider value={value}>{children}</Shared.Provider>;
}

/**
 * The form's onSubmit, and whether it was sent last. Before any is, each shows its own (without
 * JavaScript a page load shows one form's result).
 */
function useLatest(form: string) {
  const { latest, sent } = useContext(Shared);
  return { onSubmit: () => sent(form), latest: latest === null || latest === form };
}

/** A form that starts afresh, its message and what was typed gone, when the session is cleared. */
export function Afresh({ children }: { children: React.ReactNode }) {
  return <Fragment key={useContext(Shared).generation}>{children}</Fragment>;
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

function Result({ id, state, shown = true }: { id: string; state: FormState<string>; shown?: boolean }) {
  return <FormMessage id={id} message={shown ? state.message : undefined} tone={state.tone ?? "success"} />;
}

export function SetValueForm({ labels }: { labels: PlaygroundLabels }) {
  const [state, action] = useActionState(setValue, {});
  const { onSubmit, latest } = useLatest("set");
  return (
    <form action={action} onSubmit={onSubmit} className="space-y-3" aria-labelledby="set-heading" noValidate>
      <h2 id="set-heading" className="card-title">
        {labels.setTitle}
      </h2>
      {/* Before the fields, as what it says is about them ("Please correct the fields below."). */}
      <Result id="set-message" state={state} shown={latest} />
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
    </form>
  );
}

export function DeleteValueForm({ labels }: { labels: PlaygroundLabels }) {
  const [state, action] = useActionState(deleteValue, {});
  const { onSubmit, latest } = useLatest("delete");
  return (
    <form action={action} onSubmit={onSubmit} className="space-y-3" aria-labelledby="delete-heading" noValidate>
      <h2 id="delete-heading" className="card-title">
        {labels.deleteTitle}
      </h2>
      <Result id="delete-message" state={state} shown={latest} />
      {/* The button beside the field, level with the input (below its label). */}
      <div className="flex items-start gap-3">
        <div className="flex-1">
          <KeyField idPrefix="delete" state={state} label={labels.key} />
        </div>
        <SubmitButton pendingText={labels.deleting} className={`${secondaryButton} mt-6`}>
          {labels.delete}
        </SubmitButton>
      </div>
    </form>
  );
}

export function PermanentForm({ permanent, labels }: { permanent: boolean; labels: PlaygroundLabels }) {
  const [state, action] = useActionState(setPermanent, {});
  const { onSubmit, latest } = useLatest("permanent");
  return (
    <form action={action} onSubmit={onSubmit} className="space-y-3">
      <SubmitButton
        pendingText={labels.saving}
        className={secondaryButton}
        name="permanent"
        value={permanent ? "off" : "on"}
      >
        {permanent ? labels.makeBrowserSession : labels.makePermanent}
      </SubmitButton>
      <Result id="permanent-message" state={state} shown={latest} />
    </form>
  );
}

export function ClearForm({ labels }: { labels: PlaygroundLabels }) {
  const [state, action] = useActionState<FormState, FormData>(clearSession, {});
  const { cleared } = useContext(Shared);
  const { onSubmit, latest } = useLatest("clear");
  useEffect(() => {
    if (state.tone === "success") cleared();
  }, [state, cleared]);
  return (
    // At the card's far edge, away from the everyday button beside it.
    <form action={action} onSubmit={onSubmit} className="space-y-3 sm:justify-self-end sm:text-right">
      <SubmitButton pendingText={labels.clearing} className={dangerButton}>
        {labels.clear}
      </SubmitButton>
      <Result id="clear-message" state={state} shown={latest} />
    </form>
  );
}

/** The device list's one result, and the action its forms send. */
const Ending = createContext<{ state: EndSessionState; action: (formData: FormData) => void; latest: boolean }>({
  state: {},
  action: () => {},
  latest: true,
});

/**
 * The device list: its forms share one result, shown in the row it is about
 * while that row is there, else above the list (an ended session's row is
 * gone, and the message says which it was). `handles`: the rows shown.
 */
export function EndSessions({ handles, children }: { handles: string[]; children: React.ReactNode }) {
  const [state, action] = useActionState(endSession, {});
  const { latest } = useLatest("end");
  const inRow = state.session !== undefined && (state.session === "all" || handles.includes(state.session));
  const value = useMemo(() => ({ state, action, latest }), [state, action, latest]);
  return (
    <Ending.Provider value={value}>
      <Result id="end-message" state={state} shown={latest && !inRow} />
      {children}
    </Ending.Provider>
  );
}

/**
 * Ends one session, or all of them (in EndSessions). When the sign-in is not
 * recent, the action asks for the password (a field error on `password`):
 * the field then appears here, and the same button sends it.
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
  const { state, action, latest } = useContext(Ending);
  const { onSubmit } = useLatest("end");
  const ours = state.session === handle;
  const askPassword = ours && state.fieldErrors?.password !== undefined;
  return (
    <form action={action} onSubmit={onSubmit} className="space-y-2">
      <input type="hidden" name="session" value={handle} />
      <Result id={`end-${handle}-message`} state={state} shown={latest && ours} />
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
    </form>
  );
}
