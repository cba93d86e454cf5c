/**
 * The pages the middleware answers itself (a refused request, the session
 * service unavailable): self-contained HTML in the app's look, with the
 * security headers and a Content-Security-Policy of their own (no script;
 * their one stylesheet, inline, allowed by a nonce). Readable without
 * JavaScript, in the visitor's language.
 */
import type { NextRequest } from "next/server";
import { CATALOGUES, LOCALE_COOKIE, LOCALE_TAGS, negotiateLocale, type Locale } from "../i18n/locales";
import { newNonce } from "./security-headers";

/** How long to wait before trying again after a 503, as the page's Retry-After says. */
export const RETRY_AFTER_SECONDS = 2;

/** The app's look (app/globals.css and its Tailwind classes: slate and indigo, a card), in plain CSS. */
const STYLE = `
:root{color-scheme:light dark}
body{margin:0;font:16px/1.5 ui-sans-serif,system-ui,sans-serif;background:#f8fafc;color:#0f172a;-webkit-font-smoothing:antialiased}
header{border-bottom:1px solid #e2e8f0;background:#fff}
header div,main{max-width:48rem;margin:0 auto;padding:.75rem 1rem}
header a{font-size:.875rem;font-weight:600;color:inherit;text-decoration:none}
main{padding-top:2rem}
section{border:1px solid #e2e8f0;border-radius:.5rem;background:#fff;padding:1.5rem;box-shadow:0 1px 2px rgb(0 0 0/.05)}
h1{margin:0 0 1rem;font-size:1.5rem;font-weight:600;letter-spacing:-.025em}
p{margin:.5rem 0;color:#334155}
main a{color:#4f46e5;font-weight:500;text-underline-offset:2px}
:focus-visible{outline:2px solid #6366f1;outline-offset:2px}
@media (prefers-color-scheme:dark){
body{background:#020617;color:#f1f5f9}header,section{background:#0f172a;border-color:#1e293b}p{color:#cbd5e1}main a{color:#818cf8}
}`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The visitor's language, for the pages the middleware answers itself. */
export function requestLocale(request: NextRequest): Locale {
  return negotiateLocale(request.cookies.get(LOCALE_COOKIE)?.value, request.headers.get("accept-language"));
}

function page(
  status: number,
  locale: Locale,
  { title, message, link }: { title: string; message: string; link: { href: string; text: string } },
  headers: Record<string, string> = {},
): Response {
  const nonce = newNonce();
  const home = CATALOGUES[locale].nav.home;
  const body = `<!doctype html><html lang="${LOCALE_TAGS[locale]}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head><body><header><div><a href="/">${escapeHtml(home)}</a></div></header><main><section><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p></section></main></body></html>`;
  return new Response(body, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
      ...headers,
    },
  });
}

export type Refusal = {
  status: 400 | 403 | 413;
  message: "crossSite" | "tooLargeForm" | "unreadableForm" | "unreadableRequest";
};

/** A request refused before Next.js saw it; `backTo` is where the page's link goes. */
export function refusalResponse(refusal: Refusal, backTo: string, locale: Locale): Response {
  const m = CATALOGUES[locale].errors;
  return page(refusal.status, locale, {
    title: m.refusedTitle,
    message: m[refusal.message],
    link: { href: backTo, text: m.goBack },
  });
}

/** 503 while the session store is down: nothing was changed, and trying again shortly will work. */
export function unavailableResponse(path: string, locale: Locale): Response {
  const m = CATALOGUES[locale].errors;
  return page(
    503,
    locale,
    { title: m.unavailableTitle, message: m.unavailableText, link: { href: path, text: m.tryAgain } },
    { "retry-after": String(RETRY_AFTER_SECONDS) },
  );
}
