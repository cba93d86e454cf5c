"use client";

import { useActionState } from "react";
import { FormMessage } from "@/app/ui/form-message";
import { input } from "@/app/ui/styles";
import { SubmitButton } from "@/app/ui/submit-button";
import { login, type LoginState } from "./actions";

export function LoginForm({ next, lifetime }: { next: string; lifetime: string }) {
  const [state, action] = useActionState<LoginState, FormData>(login, {});
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-5" noValidate>
      <input type="hidden" name="next" value={next} />
      <FormMessage id="login-message" message={state.message} tone="error" />
      <div className="space-y-1">
        <label htmlFor="username" className="block text-sm font-medium">
          Username
        </label>
        <input
          id="username"
          name="username"
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          maxLength={64}
          defaultValue={state.username}
          aria-invalid={errors.username ? true : undefined}
          aria-describedby={errors.username ? "username-error" : undefined}
          className={input}
        />
        {errors.username ? (
          <p id="username-error" className="text-sm text-red-700 dark:text-red-300">
            {errors.username}
          </p>
        ) : null}
      </div>
      <div className="space-y-1">
        <label htmlFor="password" className="block text-sm font-medium">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={1024}
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={errors.password ? "password-error" : undefined}
          className={input}
        />
        {errors.password ? (
          <p id="password-error" className="text-sm text-red-700 dark:text-red-300">
            {errors.password}
          </p>
        ) : null}
      </div>
      <div className="flex items-center gap-2">
        <input
          id="remember"
          name="remember"
          type="checkbox"
          defaultChecked={state.remember}
          className="h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500"
        />
        <label htmlFor="remember" className="text-sm">
          Keep me signed in for {lifetime}
        </label>
      </div>
      <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
    </form>
  );
}
