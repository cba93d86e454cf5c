"use server";

import { cookies } from "next/headers";
import { getConfig } from "@/lib/config";
import { isLocale, LOCALE_COOKIE } from "@/lib/i18n/locales";

/** Remembers the chosen language for a year (the switch in the header). Unknown values change nothing. */
export async function setLanguage(formData: FormData): Promise<void> {
  const locale = formData instanceof FormData ? formData.get("locale") : null;
  if (!isLocale(locale)) return;
  (await cookies()).set(LOCALE_COOKIE, locale, {
    path: "/",
    maxAge: 365 * 86_400,
    sameSite: "lax",
    httpOnly: true,
    secure: getConfig().production,
  });
}
