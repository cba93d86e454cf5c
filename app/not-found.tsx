import Link from "next/link";
import { link, title } from "@/app/ui/styles";
import { getMessages } from "@/lib/i18n/server";

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
