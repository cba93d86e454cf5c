import { cookies } from "next/headers";
import { card, muted } from "@/app/ui/styles";
import { getConfig } from "@/lib/config";
import { flaskCookie, readFlaskCookie } from "@/lib/flask-cookie";
import { formatDateTime } from "@/lib/i18n/format";
import { getMessages } from "@/lib/i18n/server";
import type { Session } from "@/lib/session";

/**
 * The tutorial's lesson, for the current session: Flask signs its cookie and
 * anyone can read it; this app encrypts its own. The Flask-format cookie is
 * signed with a demo key, never this app's secret (its signature would be a
 * known-text oracle for it), and this app's cookie is shown only in part (it is a bearer token).
 */
const FLASK_DEMO_KEY = "the Flask tutorial's demo key";

export async function CookieLesson({ session }: { session: Session | null }) {
  const { locale, m } = await getMessages();
  const t = m.session;
  const seal = session ? ((await cookies()).get(getConfig().session.cookieName)?.value ?? "") : "";
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
  const [, passwordId, salt, , ciphertext] = seal.split("*");
  const encrypted = Buffer.from(ciphertext ?? "", "base64url");
  const sample = [...encrypted.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, "0")).join(" ");
  const { user, permanent, values, refreshedAt } = session.data;
  // Flask's session dict: the keys as they are, `user` among them, and `_permanent` for session.permanent.
  const data = { ...values, ...(user !== undefined ? { user } : {}), ...(permanent ? { _permanent: true } : {}) };
  const flask = await flaskCookie(data, FLASK_DEMO_KEY, refreshedAt);
  const read = readFlaskCookie(flask);
  return (
    <section aria-labelledby="lesson-heading" className={`${card} space-y-4`} data-testid="cookie-lesson">
      <h2 id="lesson-heading" className="card-title">
        {t.lessonTitle}
      </h2>
      <p className={muted}>{t.lessonText}</p>
      <div className="grid gap-6 text-sm sm:grid-cols-2">
        <div className="space-y-2" data-testid="cookie-ours">
          <h3 className="font-medium">{t.lessonOurs}</h3>
          <p className="break-all font-mono text-xs">
            Fe26.2*{passwordId}*{salt?.slice(0, 8)}…{" "}
            <span className="text-slate-700 dark:text-slate-300">({t.lessonSize(session.cookieBytes)})</span>
          </p>
          <p>{t.lessonOursRead(passwordId ?? "", encrypted.length, sample)}</p>
        </div>
        <div className="space-y-2" data-testid="cookie-flask">
          <h3 className="font-medium">{t.lessonFlask}</h3>
          <p className="break-all font-mono text-xs">
            {flask}{" "}
            <span className="text-slate-700 dark:text-slate-300">({t.lessonSize(Buffer.byteLength(flask))})</span>
          </p>
          <p>
            {t.lessonFlaskRead} <code className="break-all font-mono">{read.json}</code>,{" "}
            {t.lessonFlaskSigned(formatDateTime(read.timestamp, locale))}
          </p>
        </div>
      </div>
    </section>
  );
}
