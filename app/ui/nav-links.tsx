"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/**
 * The header's links, the current page's marked (aria-current) for screen
 * readers and by its weight for the eye. A client component: the root layout
 * is not rendered again when the visitor moves between pages. No prefetch, as
 * every Link here: each page is dynamic (it reads the session), so a prefetch
 * is a full render on the server for every link in view (CONTRIBUTING.md).
 */
export function NavLinks({ links, className }: { links: { href: string; label: string }[]; className: string }) {
  const pathname = usePathname();
  return links.map(({ href, label }) => {
    const current = pathname === href ? "page" : pathname.startsWith(`${href}/`) ? "true" : undefined;
    return (
      <Link key={href} prefetch={false} href={href} className={className} aria-current={current}>
        {label}
      </Link>
    );
  });
}
