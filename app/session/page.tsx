import type { Metadata } from "next";
import Link from "next/link";
import { card, link } from "@/app/ui/styles";
import { getConfig } from "@/lib/config";
import { describeDuration } from "@/lib/duration";
import { getSessionOrRetry, listSessions, nowSeconds, StoreUnavailableError, type ActiveSession } from "@/lib/session";
import { markStoreUnavailable } from "@/lib/store-health";
import { redirect } from "next/navigation";
import { ClearForm, DeleteValueForm, EndSessionForm, PermanentForm, SetValueForm } from "./playground-forms";
import { shortUserAgent } from "./user-agent";

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
  const session = await getSessionOrRetry("/session");
  const config = getConfig();
  const serverStore = config.store.kind !== "cookie";
  let sessions: ActiveSession[] = [];
  if (serverStore && session?.data.user !== undefined) {
    try {
      sessions = await listSessions();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      markStoreUnavailable();
      redirect("/session");
    }
  }
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
          <Row label="Stored in" testId="session-store">
            {serverStore ? "Redis (the cookie holds only the session id)" : "an encrypted cookie (iron-session)"}
          </Row>
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

      {data?.user !== undefined ? (
        <section aria-labelledby="devices-heading" className={`${card} space-y-4`}>
          <h2 id="devices-heading" className="font-medium">
            Where you are signed in
          </h2>
          {serverStore ? (
            <>
              <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800" data-testid="active-sessions">
                {sessions.map((active) => (
                  <li key={active.handle} className="flex flex-wrap items-center justify-between gap-3 py-3">
                    <div>
                      <p className="font-medium">
                        {shortUserAgent(active.userAgent)}
                        {active.current ? (
                          <span className="ml-2 rounded bg-emerald-100 px-1.5 py-0.5 text-xs text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
                            this device
                          </span>
                        ) : null}
                      </p>
                      <p className="text-slate-600 dark:text-slate-400">
                        Signed in{" "}
                        <time dateTime={new Date(active.createdAt * 1000).toISOString()}>
                          {new Date(active.createdAt * 1000).toUTCString()}
                        </time>
                        {" · "}last seen{" "}
                        <time dateTime={new Date(active.lastSeenAt * 1000).toISOString()}>
                          {new Date(active.lastSeenAt * 1000).toUTCString()}
                        </time>
                      </p>
                    </div>
                    <EndSessionForm
                      handle={active.handle}
                      label={active.current ? "Sign out here" : "End this session"}
                    />
                  </li>
                ))}
              </ul>
              <EndSessionForm handle="all" label="Sign out everywhere" />
            </>
          ) : (
            <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="sessions-not-listed">
              With sessions in an encrypted cookie, the server keeps no record of them, so it cannot list where you are
              signed in or end a session on another device: a copied cookie works until it expires. Run with{" "}
              <code>SESSION_STORE=redis</code> to keep sessions on the server, where they can be listed and ended.
            </p>
          )}
        </section>
      ) : null}

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
