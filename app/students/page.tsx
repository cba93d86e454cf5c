import type { Metadata } from "next";
import Link from "next/link";
import { SignOutButton } from "@/app/ui/sign-out-button";
import { cardFrame, link } from "@/app/ui/styles";

/** On a phone each cell shows its column's name before the value. */
const stackedCell =
  "flex justify-between gap-4 py-1 before:font-medium before:text-slate-700 before:content-[attr(data-label)] sm:table-cell sm:px-4 sm:py-3 sm:before:content-none dark:before:text-slate-300";
import { getMessages } from "@/lib/i18n/server";
import { verifySession } from "@/lib/auth/dal";
import { listStudents } from "@/lib/data/students";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).m.students.title };
}

export default async function StudentsPage() {
  const { data } = await verifySession("/students");
  const { m } = await getMessages();
  const t = m.students;
  const students = listStudents();
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{t.title}</h1>
          <p className="text-sm text-slate-700 dark:text-slate-300">
            {t.signedInAs} <strong data-testid="signed-in-user">{data.user}</strong> ·{" "}
            <Link href="/session" className={link}>
              {t.yourSession}
            </Link>
          </p>
        </div>
        <SignOutButton />
      </div>
      {/* A table on wider screens, a stack of cards on a phone; the roles keep it a table for screen readers. */}
      <div className={cardFrame}>
        <table role="table" className="block w-full text-left text-sm sm:table">
          <caption className="sr-only">{t.caption}</caption>
          <thead
            role="rowgroup"
            className="sr-only border-b border-slate-200 text-slate-700 sm:not-sr-only sm:table-header-group dark:border-slate-800 dark:text-slate-300"
          >
            <tr role="row">
              <th role="columnheader" scope="col" className="px-4 py-3 font-medium">
                {t.name}
              </th>
              <th role="columnheader" scope="col" className="px-4 py-3 font-medium">
                {t.age}
              </th>
              <th role="columnheader" scope="col" className="px-4 py-3 font-medium">
                {t.gender}
              </th>
            </tr>
          </thead>
          <tbody role="rowgroup" className="block divide-y divide-slate-100 sm:table-row-group dark:divide-slate-800">
            {students.map((student) => (
              <tr role="row" key={student.id} className="block px-4 py-3 sm:table-row sm:p-0">
                <td role="cell" className="block py-1 text-base sm:table-cell sm:px-4 sm:py-3 sm:text-sm">
                  <Link href={`/students/${student.id}`} className={link}>
                    {student.name}
                  </Link>
                </td>
                <td role="cell" data-label={t.age} className={`${stackedCell} tabular-nums`}>
                  {student.age}
                </td>
                <td role="cell" data-label={t.gender} className={stackedCell}>
                  {t.genders[student.gender]}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
