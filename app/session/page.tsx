import type { Metadata } from "next";
import Link from "next/link";
import { card, link, muted, title } from "@/app/ui/styles";
import { getConfig } from "@/lib/config";
import { formatApproxDuration, formatDateTime, formatDuration } from "@/lib/i18n/format";
import { getMessages } from "@/lib/i18n/server";
import { getPageSession, orUnavailable, signedInUser } from "@/lib/auth/dal";
import type { ActiveSession } from "@/lib/session/redis";
import {
  Afresh,
  ClearForm,
  DeleteValueForm,
  EndSessionForm,
  EndSessions,
  PermanentForm,
  Playground,
  SetValueForm,
  type PlaygroundLabels,
} from "./playground-forms";
import { CookieLesson } from "./cookie-lesson";
import { GetValue } from "./get-value";
import { shortUserAgent } from "./user-agent";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).m.session.title };
}

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <>
      <dt className="text-slate-700 dark:text-slate-300">{label}</dt>
      {/* Words wrap at spaces; only one longer than the line breaks (the values are in `code`, which may break anywhere). */}
      <dd data-testid={testId} className="wrap-break-word">
        {children}
      </dd>
    </>
  );
}

/** Seconds from now until `at` (epoch seconds), at least 1. */
const secondsUntil = (at: number) => Math.max(1, at - Math.floor(Date.now() / 1000));

function Time({ at, locale }: { at: number; locale: Parameters<typeof formatDateTime>[1] }) {
  return <time dateTime={new Date(at * 1000).toISOString()}>{formatDateTime(at, locale)}</time>;
}

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SessionPage({ searchParams }: Props) {
  const session = await getPageSession("/session");
  const asked = (await searchParams).get;
  const config = getConfig();
  const { locale, m } = await getMessages();
  const t = m.session;
  const { store } = config.session;
  const serverStore = store !== undefined;
  const sessions: ActiveSession[] = store && session ? await orUnavailable("/session", () => store.list(session)) : [];
  const data = session?.data;
  const user = signedInUser(session);
  const device = data?.device;
  // The session as Flask would show it: one dict, `user` among the keys.
  const contents: Record<string, string> = data
    ? { ...(data.user !== undefined ? { user: data.user } : {}), ...data.values }
    : {};
  const lifetime = formatDuration(config.session.lifetime, locale);
  // A visitor's session on the server lasts the anonymous lifetime at most, however it is used.
  const anonymousOnServer = serverStore && user === null;
  const anonymousLifetime = formatDuration(Math.min(config.session.lifetime, config.session.anonymousLifetime), locale);
  const labels: PlaygroundLabels = {
    key: t.key,
    value: t.value,
    setTitle: t.setTitle,
    set: t.set,
    saving: t.saving,
    deleteTitle: t.deleteTitle,
    delete: t.delete,
    deleting: t.deleting,
    makePermanent: t.makePermanent(anonymousOnServer ? anonymousLifetime : lifetime),
    makeBrowserSession: t.makeBrowserSession,
    clear: t.clear,
    clearing: t.clearing,
    ending: t.ending,
  };

  return (
    <Playground>
      <div className="space-y-8">
        <div className="space-y-2">
          <h1 className={title}>{t.title}</h1>
          <p className={muted}>
            {t.intro} {serverStore ? t.explainRedis : t.explainCookie}{" "}
            {user ? (
              <Link prefetch={false} href="/students" className={link}>
                {t.backToStudents}
              </Link>
            ) : (
              <Link prefetch={false} href="/login?next=/session" className={link}>
                {t.signIn}
              </Link>
            )}
          </p>
        </div>

        <section aria-labelledby="current-heading" className={card}>
          <h2 id="current-heading" className="card-title mb-4">
            {t.current}
          </h2>
          <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr] sm:gap-y-2">
            <Row label={t.contents} testId="session-contents">
              <code className="font-mono wrap-anywhere">{JSON.stringify(contents)}</code>
            </Row>
            <Row label={t.permanent} testId="session-permanent">
              {!session
                ? t.permanentNoCookie
                : data?.permanent
                  ? anonymousOnServer
                    ? t.permanentYesAnonymous(anonymousLifetime)
                    : t.permanentYes(lifetime)
                  : t.permanentNo}
            </Row>
            <Row label={t.expires} testId="session-expires">
              {session ? (
                <>
                  {/* A browser-session cookie goes when the browser closes; the server ends it at the latest then. */}
                  {data?.permanent ? null : `${t.expiresBrowser} `}
                  <Time at={session.expiresAt} locale={locale} />{" "}
                  {t.expiresIn(formatApproxDuration(secondsUntil(session.expiresAt), locale))}
                </>
              ) : (
                t.noSession
              )}
            </Row>
            <Row label={t.cookieSize} testId="session-cookie-size">
              {session ? t.bytes(session.cookieBytes, config.session.cookieName) : t.noCookie}
            </Row>
            <Row label={t.storedIn} testId="session-store">
              {serverStore ? t.storedRedis : t.storedCookie}
            </Row>
            {user ? (
              <Row label={t.device} testId="session-device">
                {device ? (
                  <>
                    {t.deviceYes}{" "}
                    {/* Loaded only for a bound session: jose is not the playground's to load on every start. */}
                    <code className="font-mono wrap-anywhere">
                      {await (await import("@/lib/session/device-bound")).thumbprintOf(device)}
                    </code>
                  </>
                ) : (
                  t.deviceNo
                )}
              </Row>
            ) : null}
            {device ? (
              <Row label={t.deviceWindow} testId="session-device-window">
                {t.deviceUntil(
                  formatDateTime(device.until, locale),
                  formatDateTime(device.refreshedAt, locale),
                  device.refreshes,
                )}
              </Row>
            ) : null}
          </dl>
        </section>

        <section className={`${card} divide-y divide-slate-100 dark:divide-slate-800`}>
          <div className="pb-6">
            <Afresh>
              <SetValueForm labels={labels} />
            </Afresh>
          </div>
          <div className="py-6">
            <GetValue asked={asked} contents={contents} t={t} />
          </div>
          <div className="pt-6">
            <Afresh>
              <DeleteValueForm labels={labels} />
            </Afresh>
          </div>
        </section>

        <CookieLesson session={session} />

        {user ? (
          <section aria-labelledby="devices-heading" className={`${card} space-y-4`}>
            <h2 id="devices-heading" className="card-title">
              {t.devicesTitle}
            </h2>
            {serverStore ? (
              <EndSessions handles={sessions.map((active) => active.handle)}>
                <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800" data-testid="active-sessions">
                  {sessions.map((active) => (
                    <li key={active.handle} className="flex flex-wrap items-center justify-between gap-3 py-3">
                      <div>
                        <p className="font-medium">
                          {shortUserAgent(active.userAgent, t)}
                          {active.current ? (
                            <span className="ml-2 rounded bg-emerald-100 px-1.5 py-0.5 text-xs text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">
                              {t.thisDevice}
                            </span>
                          ) : null}
                        </p>
                        <p className="text-slate-700 dark:text-slate-300">
                          {t.signedInAt} <Time at={active.createdAt} locale={locale} /> · {t.lastSeen}{" "}
                          <Time at={active.lastSeenAt} locale={locale} />
                        </p>
                      </div>
                      <EndSessionForm
                        handle={active.handle}
                        label={active.current ? t.endHere : t.endOther}
                        pending={t.ending}
                        passwordLabel={t.yourPassword}
                      />
                    </li>
                  ))}
                </ul>
                <EndSessionForm handle="all" label={t.endAll} pending={t.ending} passwordLabel={t.yourPassword} />
              </EndSessions>
            ) : (
              <p className={muted} data-testid="sessions-not-listed">
                {t.notListed}
              </p>
            )}
          </section>
        ) : null}

        <section aria-labelledby="lifetime-heading" className={`${card} space-y-4`}>
          <h2 id="lifetime-heading" className="card-title">
            {t.lifetimeTitle}
          </h2>
          <p className={muted}>{t.lifetimeText}</p>
          {/* Two cells: a longer or shorter label, or a message, in one never moves the other button. */}
          <div className="grid items-start gap-4 sm:grid-cols-2">
            <Afresh>
              <PermanentForm permanent={data?.permanent ?? false} labels={labels} />
            </Afresh>
            <ClearForm labels={labels} />
          </div>
        </section>
      </div>
    </Playground>
  );
}
