import type { Metadata } from "next";
import Link from "next/link";
import { LOCALE_TAGS } from "@/lib/i18n/locales";
import { getMessages } from "@/lib/i18n/server";
import { setLanguage } from "./actions";
import { NavLinks } from "./ui/nav-links";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const { m } = await getMessages();
  return { title: { default: m.meta.title, template: `%s · ${m.meta.title}` }, description: m.meta.description };
}

const navLink =
  "rounded px-1 py-0.5 text-slate-700 hover:text-slate-950 aria-[current]:font-semibold aria-[current]:text-slate-950 dark:text-slate-300 dark:hover:text-white dark:aria-[current]:text-white";

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const { locale, m } = await getMessages();
  return (
    <html lang={LOCALE_TAGS[locale]}>
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <div className="mx-auto flex max-w-3xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-4 py-3 text-sm">
            <nav aria-label={m.nav.label} className="flex flex-wrap items-center gap-x-5 gap-y-2">
              <Link href="/" className="rounded px-1 py-0.5 font-semibold tracking-tight">
                {m.nav.home}
              </Link>
              <NavLinks
                className={navLink}
                links={[
                  { href: "/students", label: m.nav.students },
                  { href: "/session", label: m.nav.session },
                ]}
              />
            </nav>
            <form action={setLanguage}>
              <input type="hidden" name="locale" value={locale === "en" ? "zh" : "en"} />
              <button
                type="submit"
                lang={locale === "en" ? "zh-CN" : "en"}
                aria-label={m.nav.switchToLabel}
                className="rounded border border-slate-300 px-2 py-1 text-slate-700 hover:bg-slate-50 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
              >
                {m.nav.switchTo}
              </button>
            </form>
          </div>
        </header>
        <main className="mx-auto max-w-3xl px-4 py-8">{children}</main>
      </body>
    </html>
  );
}
