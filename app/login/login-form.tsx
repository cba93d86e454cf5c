"use client";

import { useActionState } from "react";
import { FormMessage } from "@/app/ui/form-message";
import { SubmitButton } from "@/app/ui/submit-button";
import { TextField } from "@/app/ui/text-field";
import { login, type LoginState } from "./actions";

type LoginLabels = { username: string; password: string; remember: string; submit: string; pending: string };

export function LoginForm({ next, labels }: { next: string; labels: LoginLabels }) {
  const [state, action] = useActionState<LoginState, FormData>(login, {});
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-5" noValidate>
      <input type="hidden" name="next" value={next} />
      <FormMessage id="login-message" message={state.message} tone="error" />
      <TextField
        id="username"
        label={labels.username}
        name="username"
        type="text"
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        required
        maxLength={64}
        defaultValue={state.values?.username}
        error={errors.username}
      />
      <TextField
        id="password"
        label={labels.password}
        name="password"
        type="password"
        autoComplete="current-password"
        required
        maxLength={1024}
        error={errors.password}
      />
      <div className="flex items-center gap-2">
        <input
          id="remember"
          name="remember"
          type="checkbox"
          defaultChecked={state.values?.remember === "on"}
          className="h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"
        />
        <label htmlFor="remember" className="text-sm">
          {labels.remember}
        </label>
      </div>
      <SubmitButton pendingText={labels.pending}>{labels.submit}</SubmitButton>
    </form>
  );
}
