import "server-only";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { CATALOGUES, LOCALE_COOKIE, negotiateLocale, type Locale, type Messages } from "./locales";

/** The request's language: the `lang` cookie the switch sets, else Accept-Language. */
async function getLocale(): Promise<Locale> {
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  return negotiateLocale(cookieStore.get(LOCALE_COOKIE)?.value, headerList.get("accept-language"));
}

/** The request's language and its catalogue, worked out once per render (the layout, the page and their metadata ask). */
export const getMessages = cache(async (): Promise<{ locale: Locale; m: Messages }> => {
  const locale = await getLocale();
  return { locale, m: CATALOGUES[locale] };
});
