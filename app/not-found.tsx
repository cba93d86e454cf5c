import type { Metadata } from "next";
import Link from "next/link";
import { link, title } from "@/app/ui/styles";
import { getMessages } from "@/lib/i18n/server";

/** The same title for an unknown address as for an unknown student. */
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).m.errors.notFoundTitle };
}

export default async function NotFound() {
  const { m } = await getMessages();
  return (
    <div className="space-y-4">
      <h1 className={title}>{m.errors.notFoundTitle}</h1>
      <p>{m.errors.notFoundText}</p>
      <p>
        <Link prefetch={false} href="/" className={link}>
          {m.errors.home}
        </Link>
      </p>
    </div>
  );
}
