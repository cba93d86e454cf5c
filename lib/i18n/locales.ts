/**
 * The languages: which there are, their catalogues (en.ts, zh.ts), and the
 * visitor's, from the `lang` cookie or Accept-Language. Plain data, no
 * server-only code: client components and the middleware import it too.
 */
import { en, type Messages } from "./en";
import { zh } from "./zh";

export type { Messages } from "./en";
const LOCALES = ["en", "zh"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** BCP 47 tags for Intl and <html lang>. */
export const LOCALE_TAGS: Record<Locale, string> = { en: "en", zh: "zh-CN" };

export const CATALOGUES: Record<Locale, Messages> = { en, zh };

/** The name of the cookie that remembers a chosen language. */
export const LOCALE_COOKIE = "lang";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The visitor's language: the remembered choice, else the best match of
 * Accept-Language (by q-value; zh, zh-CN, zh-Hans… are Chinese), else English.
 */
export function negotiateLocale(cookieValue: string | undefined, acceptLanguage: string | null): Locale {
  if (isLocale(cookieValue)) return cookieValue;
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().toLowerCase().split(";");
      const q = Number(params.find((param) => param.trim().startsWith("q="))?.split("=")[1] ?? 1);
      return { tag, q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const base = tag.split("-")[0];
    if (isLocale(base)) return base;
  }
  return DEFAULT_LOCALE;
}
