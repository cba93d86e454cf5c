import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { card } from "@/app/ui/styles";
import { DEMO_USER, getConfig } from "@/lib/config";
import { describeDuration } from "@/lib/duration";
import { DEFAULT_AFTER_LOGIN, safeNext } from "@/lib/safe-next";
import { getSessionOrNull } from "@/lib/session";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function LoginPage({ searchParams }: Props) {
  const session = await getSessionOrNull();
  const config = getConfig();
  if (session?.data.user !== undefined && config.users.has(session.data.user)) redirect(DEFAULT_AFTER_LOGIN);

  const params = await searchParams;
  const next = safeNext(Array.isArray(params.next) ? params.next[0] : params.next);
  const signedOut = params["signed-out"];

  return (
    <div className="mx-auto max-w-sm space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
      <div role="status" aria-live="polite">
        {signedOut ? (
          <p className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">
            {signedOut === "everywhere" ? "You have been signed out everywhere." : "You have been signed out."}
          </p>
        ) : null}
      </div>
      <div className={card}>
        <LoginForm next={next} lifetime={describeDuration(config.lifetime)} />
      </div>
      {config.demoAccount ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Development mode: sign in as <kbd className="font-mono">{DEMO_USER.name}</kbd> with password{" "}
          <kbd className="font-mono">{DEMO_USER.password}</kbd>. Set <code>AUTH_USERS</code> to use your own accounts.
        </p>
      ) : null}
    </div>
  );
}
