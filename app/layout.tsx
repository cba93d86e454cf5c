import type { Metadata } from "next";
import Link from "next/link";
import { logout } from "@/app/login/actions";
import { SubmitButton } from "@/app/ui/submit-button";
import { currentUser } from "@/lib/auth/dal";
import { LOCALE_TAGS } from "@/lib/i18n/locales";
import { getMessages } from "@/lib/i18n/server";
import { setLanguage } from "./actions";
import { NavLinks } from "./ui/nav-links";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const { m } = await getMessages();
  return { title: { default: m.meta.title, template: `%s · ${m.meta.title}` }, description: m.meta.description };
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const [{ locale, m }, user] = await Promise.all([getMessages(), currentUser()]);
  return (
    <html lang={LOCALE_TAGS[locale]}>
      <body className="min-h-screen">
        <header className="site-header">
          <div className="site-bar">
            <nav aria-label={m.nav.label} className="site-nav">
              <Link prefetch={false} href="/" className="site-home">
                <span className="site-name">{m.nav.home}</span>
              </Link>
              <NavLinks
                className="nav-link"
                links={[
                  { href: "/students", label: m.nav.students },
                  { href: "/session", label: m.nav.session },
                ]}
              />
            </nav>
            <div className="site-actions">
              <form action={setLanguage}>
                <input type="hidden" name="locale" value={locale === "en" ? "zh" : "en"} />
                <button
                  type="submit"
                  lang={locale === "en" ? "zh-CN" : "en"}
                  aria-label={m.nav.switchToLabel}
                  className="header-button"
                >
                  {m.nav.switchTo}
                </button>
              </form>
              {user ? (
                <form action={logout}>
                  <SubmitButton pendingText={m.students.signingOut} className="header-button">
                    {m.students.signOut}
                  </SubmitButton>
                </form>
              ) : null}
            </div>
          </div>
        </header>
        {/* Keyed by language: a switch starts the page's forms afresh, so no message stays in the other language. */}
        <main key={locale} className="site-main">
          {children}
        </main>
      </body>
    </html>
  );
}
