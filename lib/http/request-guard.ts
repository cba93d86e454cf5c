/**
 * Screens POSTs (server actions) in the middleware before Next.js sees them,
 * so that malformed or hostile requests get a clear 4xx instead of the 500
 * that Next.js 16 answers them with:
 * - a cross-origin POST (Next's own CSRF check throws) -> 403;
 * - a body over the server-action limit (Next throws) -> 413;
 * - a broken multipart form, or an action call whose body is not what
 *   Next's client sends (Next's decoders throw) -> 400.
 */
import type { NextRequest } from "next/server";
import { CATALOGUES, LOCALE_COOKIE, LOCALE_TAGS, negotiateLocale, type Locale, type Messages } from "../i18n/locales";
import { RETRY_AFTER_SECONDS } from "../session";

/** Next's default `serverActions.bodySizeLimit`. */
const ACTION_BODY_LIMIT = 1024 * 1024;

export type Refusal = { status: 400 | 403 | 413; message: keyof Messages["errors"] };

function sameOrigin(request: NextRequest): boolean {
  const origin = request.headers.get("origin");
  // Browsers send Origin with every POST; tools that omit it cannot ride a
  // victim's cookies, so Next lets them through and so do we.
  if (origin === null) return true;
  // Next compares against X-Forwarded-Host when a proxy set it, else Host.
  const host = request.headers.get("x-forwarded-host")?.split(",")[0].trim() || request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * In a reply sent as text, React marks references to other parts of a
 * multipart body with a leading "$"; text has no other parts, so such a
 * reference can only be forged, and Next's decoder throws on it. Allowed:
 * escaped strings ("$$..."), and the values React writes inline.
 */
const INLINE_VALUE = /^\$(\$|undefined$|NaN$|Infinity$|-Infinity$|-0$|D|n-?\d+$)/;

function plainReply(value: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (typeof value === "string") return !value.startsWith("$") || INLINE_VALUE.test(value);
  if (typeof value !== "object" || value === null) return true;
  return Object.values(value).every((item) => plainReply(item, depth + 1));
}

export async function screenPost(request: NextRequest): Promise<Refusal | null> {
  if (request.method !== "POST") return null;
  if (!sameOrigin(request)) {
    return { status: 403, message: "crossSite" };
  }
  const length = Number(request.headers.get("content-length") ?? "0");
  if (!Number.isFinite(length) || length > ACTION_BODY_LIMIT) {
    return { status: 413, message: "tooLargeForm" };
  }
  const isActionCall = request.headers.has("next-action");
  const contentType = request.headers.get("content-type") ?? "";
  if (contentType.startsWith("multipart/form-data")) {
    // A form (with or without JavaScript): Next's parser throws on a broken one.
    try {
      await request.formData();
    } catch {
      return { status: 400, message: "unreadableForm" };
    }
  } else if (isActionCall) {
    // Next's client sends the arguments as a JSON array; anything else breaks its decoder.
    let args: unknown;
    try {
      args = JSON.parse(await request.text());
    } catch {
      args = null;
    }
    if (!Array.isArray(args) || !plainReply(args)) return { status: 400, message: "unreadableRequest" };
  }
  return null;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The visitor's language, for pages the middleware answers itself. */
export function requestLocale(request: NextRequest): Locale {
  return negotiateLocale(request.cookies.get(LOCALE_COOKIE)?.value, request.headers.get("accept-language"));
}

/** A small self-contained page, readable with or without JavaScript. */
function page(
  status: number,
  locale: Locale,
  title: string,
  message: string,
  link: { href: string; text: string },
  headers = {},
) {
  const body = `<!doctype html><html lang="${LOCALE_TAGS[locale]}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem"><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p></main></body></html>`;
  return new Response(body, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

export function refusalResponse(refusal: Refusal, backTo: string, locale: Locale): Response {
  const m = CATALOGUES[locale].errors;
  const message = m[refusal.message];
  return page(refusal.status, locale, m.refusedTitle, typeof message === "string" ? message : "", {
    href: backTo,
    text: m.goBack,
  });
}

/** 503 while the session store is down: nothing was changed, and trying again shortly will work. */
export function unavailableResponse(path: string, locale: Locale): Response {
  const m = CATALOGUES[locale].errors;
  return page(
    503,
    locale,
    m.unavailableTitle,
    m.unavailableText,
    { href: path, text: m.tryAgain },
    { "retry-after": String(RETRY_AFTER_SECONDS) },
  );
}
