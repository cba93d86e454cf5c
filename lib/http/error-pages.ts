/**
 * The pages the middleware answers itself (a refused request, the session
 * service unavailable): self-contained HTML in the app's look, with the
 * security headers and a Content-Security-Policy of their own (no script;
 * their one stylesheet, inline, allowed by a nonce). Readable without
 * JavaScript, in the visitor's language.
 */
import type { NextRequest } from "next/server";
import { CATALOGUES, LOCALE_COOKIE, LOCALE_TAGS, negotiateLocale, type Locale } from "../i18n/locales";
import ALLOWED_METHODS from "./allowed-methods.json";
import { newNonce } from "./security-headers";

/** How long to wait before trying again after a 503, as the page's Retry-After says. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * The app's look in plain CSS, as the compiled app/globals.css has it: Tailwind's preflight, font stack
 * and colours (lab() where the browser has it), .site-header, .site-bar, .site-home, .site-main, .title
 * and .link, laid out as app/error.tsx. These pages cannot link the app's stylesheet, whose name changes
 * with every build; e2e/site/polish.spec.ts compares the two at 1280 px, light and dark.
 */
const STYLE = `
*,::before,::after{box-sizing:border-box}
:root{color-scheme:light dark;--slate-50:#f8fafc;--slate-100:#f1f5f9;--slate-200:#e2e8f0;--slate-800:#1d293d;--slate-900:#0f172b;--slate-950:#020618;--indigo-400:#7d87ff;--indigo-500:#625fff;--indigo-600:#4f39f6}
@supports (color:lab(0% 0 0)){:root{--slate-50:lab(98.1434% -.369519 -1.05966);--slate-100:lab(96.286% -.852436 -2.46847);--slate-200:lab(91.7353% -.998765 -4.76968);--slate-800:lab(16.132% -.318035 -14.6672);--slate-900:lab(7.78673% 1.82345 -15.0537);--slate-950:lab(1.76974% 1.32743 -9.28855);--indigo-400:lab(59.866% 22.4834 -64.4485);--indigo-500:lab(48.295% 38.3129 -81.9673);--indigo-600:lab(38.4009% 52.6132 -92.3857)}}
html{line-height:1.5;-webkit-text-size-adjust:100%;font-family:-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", Arial, sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Segoe UI Symbol", "Noto Color Emoji"}
body{margin:0;min-height:100vh;background:var(--slate-50);color:var(--slate-900);-webkit-font-smoothing:antialiased}
a{color:inherit;text-decoration:inherit}
h1,p{margin:0}
.site-header{border-bottom:1px solid var(--slate-200);background:#fff}
.site-bar{display:flex;align-items:center;max-width:48rem;margin:0 auto;padding:.75rem 1rem;font-size:.875rem;line-height:1.25rem}
.site-home{display:flex;align-items:center;gap:.5rem;border-radius:.25rem;padding:.125rem .25rem;font-size:1rem;line-height:1.5rem;font-weight:700;letter-spacing:-.025em}
/* As tall as the app's bar, whose header buttons (1.25rem of text, .25rem padding, a border) are its tallest items. */
.site-bar::after{content:"";min-height:calc(1.75rem + 2px)}
@media (width<40rem){.site-name{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}}
.site-main{max-width:48rem;margin:0 auto;padding:2rem 1rem}
.site-main>*+*{margin-top:1rem}
.title{font-size:1.5rem;line-height:2rem;font-weight:600;letter-spacing:-.025em}
.link{font-weight:500;color:var(--indigo-600);text-underline-offset:2px}
.link:hover{text-decoration:underline}
:focus-visible{outline:2px solid var(--indigo-500);outline-offset:2px}
@media (prefers-color-scheme:dark){
body{background:var(--slate-950);color:var(--slate-100)}.site-header{background:var(--slate-900);border-color:var(--slate-800)}.link{color:var(--indigo-400)}
}`;

/** The header's icon: app/icon.svg, which the app's stylesheet draws before the home link (app/globals.css). */
const ICON = `<svg viewBox="0 0 32 32" width="20" height="20" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#4f46e5"/><circle cx="12" cy="16" r="5.5" fill="none" stroke="#fff" stroke-width="3"/><path d="M17 16h10M23 16v4M27 16v3" fill="none" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>`;

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
  const { nav, meta } = CATALOGUES[locale];
  // The app's layout without what needs a session or JavaScript: its header's name, its main column.
  const header = `<header class="site-header"><div class="site-bar"><nav aria-label="${escapeHtml(nav.label)}"><a href="/" class="site-home">${ICON}<span class="site-name">${escapeHtml(nav.home)}</span></a></nav></div></header>`;
  const main = `<main class="site-main"><h1 class="title">${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="${escapeHtml(link.href)}" class="link">${escapeHtml(link.text)}</a></p></main>`;
  const body = `<!doctype html><html lang="${LOCALE_TAGS[locale]}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(`${title} · ${meta.title}`)}</title><style nonce="${nonce}">${STYLE}</style></head><body>${header}${main}</body></html>`;
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

export type Refusal =
  | {
      status: 400 | 403 | 405 | 413;
      message: "crossSite" | "tooLargeForm" | "unreadableForm" | "unreadableRequest" | "methodNotAllowed";
    }
  | { status: 204 };

/** A request refused before Next.js saw it (or OPTIONS, answered with the methods the pages take); `backTo` is where the page's link goes. */
export function refusalResponse(refusal: Refusal, backTo: string, locale: Locale): Response {
  const allow = { allow: ALLOWED_METHODS.join(", ") };
  if (refusal.status === 204) return new Response(null, { status: 204, headers: allow });
  const m = CATALOGUES[locale].errors;
  return page(
    refusal.status,
    locale,
    { title: m.refusedTitle, message: m[refusal.message], link: { href: backTo, text: m.goBack } },
    refusal.status === 405 ? allow : {},
  );
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
