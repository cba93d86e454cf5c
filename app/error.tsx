"use client";

import Link from "next/link";
import { useSyncExternalStore } from "react";
import { button, link, title } from "@/app/ui/styles";
import { CATALOGUES, DEFAULT_LOCALE } from "@/lib/i18n/locales";

/** The language the server rendered the page in (a client component cannot read the request). */
function usePageLocale() {
  const lang = useSyncExternalStore(
    () => () => {},
    () => document.documentElement.lang,
    () => "",
  );
  return lang.startsWith("zh") ? "zh" : DEFAULT_LOCALE;
}

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const m = CATALOGUES[usePageLocale()].errors;
  return (
    <div className="space-y-4">
      <h1 className={title}>{m.errorTitle}</h1>
      <p>{m.errorText(error.digest ?? "")}</p>
      <div className="flex items-center gap-4">
        <button type="button" className={button} onClick={reset}>
          {m.tryAgain}
        </button>
        <Link prefetch={false} href="/" className={link}>
          {m.home}
        </Link>
      </div>
    </div>
  );
}
