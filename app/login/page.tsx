import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { card, muted, title } from "@/app/ui/styles";
import { DEMO_USER, getConfig } from "@/lib/config";
import { formatDuration } from "@/lib/i18n/format";
import { getMessages } from "@/lib/i18n/server";
import { DEFAULT_AFTER_LOGIN, safeNext } from "@/lib/auth/safe-next";
import { getPageSession, signedInUser } from "@/lib/auth/dal";
import { plainHttpElsewhere } from "@/lib/http/plain-http";
import { LoginForm } from "./login-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).m.login.title };
}

/** A message as the catalogue splits it: every second part (a command, a name) in monospace. */
function Marked({ parts, as: Mark }: { parts: readonly string[]; as: "code" | "kbd" }) {
  return parts.map((part, index) =>
    index % 2 ? (
      <Mark key={index} className="font-mono">
        {part}
      </Mark>
    ) : (
      part
    ),
  );
}

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function LoginPage({ searchParams }: Props) {
  if (signedInUser(await getPageSession("/login"))) redirect(DEFAULT_AFTER_LOGIN);
  const config = getConfig();

  const { locale, m } = await getMessages();
  const params = await searchParams;
  const next = safeNext(Array.isArray(params.next) ? params.next[0] : params.next);
  const signedOut = params["signed-out"];
  const demo = m.login.demo(DEMO_USER.name, DEMO_USER.password);
  // Secure cookies over plain http at a LAN address: the browser would refuse the cookie without a word.
  const plainHost = config.session.secure ? plainHttpElsewhere(await headers()) : null;
  // The same port on the machine's own name, where the browser keeps the cookie.
  const plain = plainHost
    ? m.login.plainHttp(plainHost, `http://localhost${/:\d+$/.exec(plainHost)?.[0] ?? ""}`)
    : null;

  return (
    <div className="mx-auto max-w-sm space-y-6">
      <h1 className={title}>{m.login.title}</h1>
      <div role="status" aria-live="polite">
        {signedOut ? (
          <p className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">
            {signedOut === "everywhere" ? m.login.signedOutEverywhere : m.login.signedOut}
          </p>
        ) : null}
      </div>
      {plain ? (
        <p
          data-testid="plain-http-notice"
          className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
        >
          <Marked parts={plain} as="code" />
        </p>
      ) : null}
      <div className={card}>
        <LoginForm
          next={next}
          labels={{
            username: m.login.username,
            password: m.login.password,
            remember: m.login.remember(formatDuration(config.session.lifetime, locale)),
            submit: m.login.submit,
            pending: m.login.pending,
          }}
        />
      </div>
      {config.demoAccount ? (
        <p className={muted}>
          <Marked parts={demo} as="kbd" />
        </p>
      ) : null}
    </div>
  );
}
