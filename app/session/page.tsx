import type { Metadata } from "next";
import Link from "next/link";
import { card, link } from "@/app/ui/styles";
import { getConfig } from "@/lib/config";
import { describeDuration } from "@/lib/duration";
import { getSession, nowSeconds } from "@/lib/session";
import { ClearForm, DeleteValueForm, PermanentForm, SetValueForm } from "./playground-forms";

export const metadata: Metadata = { title: "Session playground" };

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <>
      <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
      <dd data-testid={testId} className="break-all">
        {children}
      </dd>
    </>
  );
}

export default async function SessionPage() {
  const session = await getSession();
  const config = getConfig();
  const data = session?.data;
  // The session as Flask would show it: one dict, `user` among the keys.
  const contents = data ? { ...(data.user !== undefined ? { user: data.user } : {}), ...data.values } : {};
  const lifetime = describeDuration(config.lifetime);
  const expires = session ? new Date(session.expiresAt * 1000) : null;

  return (
    <div className="space-y-8">
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold tracking-tight">Session playground</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          The Flask tutorial&apos;s <code>/set</code>, <code>/get</code>, <code>/delete</code> and <code>/clear</code>{" "}
          on one page. Everything below lives in one encrypted cookie that only this server can read.{" "}
          {data?.user !== undefined ? (
            <Link href="/students" className={link}>
              Back to the students
            </Link>
          ) : (
            <Link href="/login?next=/session" className={link}>
              Sign in
            </Link>
          )}
        </p>
      </div>

      <section aria-labelledby="current-heading" className={card}>
        <h2 id="current-heading" className="mb-4 font-medium">
          Current session
        </h2>
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
          <Row label="Contents" testId="session-contents">
            <code className="font-mono">{JSON.stringify(contents)}</code>
          </Row>
          <Row label="Permanent" testId="session-permanent">
            {data?.permanent
              ? `yes: the cookie is kept for ${lifetime} after last use`
              : "no: a browser-session cookie"}
          </Row>
          <Row label="Expires" testId="session-expires">
            {expires ? (
              <>
                <time dateTime={expires.toISOString()}>{expires.toUTCString()}</time> (in{" "}
                {describeDuration(Math.max(1, session!.expiresAt - nowSeconds()))} unless used)
              </>
            ) : (
              "no session"
            )}
          </Row>
          <Row label="Cookie size" testId="session-cookie-size">
            {session ? `${session.cookieBytes} bytes (${config.cookieName})` : "no cookie"}
          </Row>
          <Row label="Stored in">an encrypted cookie (iron-session)</Row>
        </dl>
      </section>

      <div className="grid gap-6 sm:grid-cols-2">
        <section className={card}>
          <SetValueForm />
        </section>
        <section className={card}>
          <DeleteValueForm />
        </section>
      </div>

      <section aria-labelledby="lifetime-heading" className={`${card} space-y-4`}>
        <h2 id="lifetime-heading" className="font-medium">
          Lifetime and clearing
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Like Flask&apos;s <code>session.permanent</code>: a permanent session survives closing the browser. Clearing
          removes everything, including who is signed in.
        </p>
        <div className="flex flex-wrap items-start gap-4">
          <PermanentForm permanent={data?.permanent ?? false} lifetime={lifetime} />
          <ClearForm />
        </div>
      </section>
    </div>
  );
}
