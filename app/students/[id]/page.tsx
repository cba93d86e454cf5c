import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { card, link, title } from "@/app/ui/styles";
import { getMessages } from "@/lib/i18n/server";
import { verifySession } from "@/lib/auth/dal";
import { findStudent } from "@/lib/data/students";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const student = findStudent((await params).id);
  return { title: student?.name ?? (await getMessages()).m.errors.notFoundTitle };
}

export default async function StudentPage({ params }: Props) {
  const { id } = await params;
  await verifySession(`/students/${encodeURIComponent(id)}`);
  // Before anything streams, so the response really is a 404.
  const student = findStudent(id);
  if (!student) notFound();
  const t = (await getMessages()).m.students;
  return (
    <div className="space-y-6">
      <h1 className={title}>{student.name}</h1>
      <dl className={`${card} grid grid-cols-[max-content_1fr] gap-x-8 gap-y-3 text-sm`}>
        <dt className="text-slate-700 dark:text-slate-300">{t.number}</dt>
        <dd className="tabular-nums">{student.id}</dd>
        <dt className="text-slate-700 dark:text-slate-300">{t.age}</dt>
        <dd className="tabular-nums">{student.age}</dd>
        <dt className="text-slate-700 dark:text-slate-300">{t.gender}</dt>
        <dd>{t.genders[student.gender]}</dd>
      </dl>
      <p className="text-sm">
        <Link prefetch={false} href="/students" className={link}>
          {t.all}
        </Link>
      </p>
    </div>
  );
}
