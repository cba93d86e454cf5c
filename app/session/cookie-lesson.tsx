import { cookies } from "next/headers";
import { card, muted } from "@/app/ui/styles";
import { getConfig } from "@/lib/config";
import { flaskCookie, readFlaskCookie } from "@/lib/flask-cookie";
import { formatDateTime } from "@/lib/i18n/format";
import type { Messages } from "@/lib/i18n/locales";
import { getMessages } from "@/lib/i18n/server";
import type { Session } from "@/lib/session";

/**
 * The tutorial's lesson, for the current session: Flask signs its cookie and
 * anyone can read it; this app encrypts its own, or with the Redis store
 * keeps no data in it at all (a random id); bound to the device (DBSC), a
 * copy of it dies within minutes. The Flask-format cookie is
 * signed with a demo key, never this app's secret (its signature would be a
 * known-text oracle for it), and this app's cookie is shown only in part (it is a bearer token).
 */
const FLASK_DEMO_KEY = "the Flask tutorial's demo key";
/** Flask's SESSION_COOKIE_NAME: its cookie's size counts it too, as the browser does (and as ours is counted). */
const FLASK_COOKIE_NAME = "session";

/** A cookie value, or the part of it shown: a long token that may break anywhere, beside its size in words. */
function Token({ children, size }: { children: React.ReactNode; size: string }) {
  return (
    <p className="text-xs">
      <code className="font-mono wrap-anywhere">{children}</code>
      <span className="text-slate-700 dark:text-slate-300">{size}</span>
    </p>
  );
}

/** What this app's cookie holds, from the cookie itself: the lesson shows it as someone who copied it would. */
function Ours({ seal, bytes, redis, t }: { seal: string; bytes: number; redis: boolean; t: Messages["session"] }) {
  const [, passwordId, salt, , ciphertext] = seal.split("*");
  const size = t.lessonSize(bytes);
  if (redis && !seal.startsWith("Fe26.2*")) {
    // The id itself: a few of its characters, as the rest is the secret part.
    return (
      <>
        <Token size={size}>{seal.slice(0, 6)}…</Token>
        <p>{t.lessonOursId}</p>
      </>
    );
  }
  const encrypted = Buffer.from(ciphertext ?? "", "base64url");
  const sample = [...encrypted.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
  return (
    <>
      <Token size={size}>
        Fe26.2*{passwordId}*{salt?.slice(0, 8)}…
      </Token>
      {/* With the Redis store a sealed cookie holds only the session's id (and a bound session's window). */}
      <p>{redis ? t.lessonOursSealedId : t.lessonOursRead(passwordId ?? "", encrypted.length, sample)}</p>
    </>
  );
}

export async function CookieLesson({ session }: { session: Session | null }) {
  const { locale, m } = await getMessages();
  const t = m.session;
  const { cookieName, store } = getConfig().session;
  const redis = store !== undefined;
  const seal = session ? ((await cookies()).get(cookieName)?.value ?? "") : "";
  if (!session || !seal) {
    return (
      <section aria-labelledby="lesson-heading" className={`${card} space-y-3`}>
        <h2 id="lesson-heading" className="card-title">
          {t.lessonTitle}
        </h2>
        <p className={muted}>{t.lessonNone}</p>
      </section>
    );
  }
  const { user, permanent, values, refreshedAt, device } = session.data;
  // Flask's session dict: the keys as they are, `user` among them, and `_permanent` for session.permanent.
  const data = { ...values, ...(user !== undefined ? { user } : {}), ...(permanent ? { _permanent: true } : {}) };
  const flask = await flaskCookie(data, FLASK_DEMO_KEY, refreshedAt);
  const read = readFlaskCookie(flask);
  return (
    <section aria-labelledby="lesson-heading" className={`${card} space-y-4`} data-testid="cookie-lesson">
      <h2 id="lesson-heading" className="card-title">
        {t.lessonTitle}
      </h2>
      <p className={muted}>{redis ? t.lessonTextRedis : t.lessonText}</p>
      <div className="grid gap-6 text-sm sm:grid-cols-2">
        <div className="space-y-2" data-testid="cookie-ours">
          <h3 className="font-medium">{redis ? t.lessonOursRedis : t.lessonOurs}</h3>
          <Ours seal={seal} bytes={session.cookieBytes} redis={redis} t={t} />
        </div>
        <div className="space-y-2" data-testid="cookie-flask">
          <h3 className="font-medium">{t.lessonFlask}</h3>
          <Token size={t.lessonSize(Buffer.byteLength(`${FLASK_COOKIE_NAME}=${flask}`))}>{flask}</Token>
          <p>
            {t.lessonFlaskRead} <code className="font-mono wrap-anywhere">{read.json}</code>
            {t.lessonFlaskSigned(formatDateTime(read.timestamp, locale))}
          </p>
        </div>
        <div className="space-y-2 sm:col-span-2" data-testid="cookie-bound">
          <h3 className="font-medium">{t.lessonBound}</h3>
          <p>{device ? t.lessonBoundYes(formatDateTime(device.until, locale)) : t.lessonBoundNo}</p>
          <p>{t.lessonBoundLimits}</p>
        </div>
      </div>
    </section>
  );
}
