import type { Metadata } from "next";
import Link from "next/link";
import { cardFrame, link, muted, title } from "@/app/ui/styles";
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
      <div className="space-y-1">
        <h1 className={title}>{t.title}</h1>
        <p className={`${muted} wrap-break-word`}>
          {t.signedInAs} <strong data-testid="signed-in-user">{data.user}</strong> ·{" "}
          <Link prefetch={false} href="/session" className={link}>
            {t.yourSession}
          </Link>
        </p>
      </div>
      {/*
        A table on wider screens, a stack of labelled cards on a phone (the
        .students rules in app/globals.css); the roles keep it a table for
        screen readers whatever its display.
      */}
      <div className={cardFrame}>
        <table role="table" className="students">
          <caption className="sr-only">{t.caption}</caption>
          <thead role="rowgroup">
            <tr role="row">
              <th role="columnheader" scope="col">
                {t.name}
              </th>
              <th role="columnheader" scope="col">
                {t.age}
              </th>
              <th role="columnheader" scope="col">
                {t.gender}
              </th>
            </tr>
          </thead>
          <tbody role="rowgroup">
            {students.map((student) => (
              <tr role="row" key={student.id}>
                <td role="cell">
                  <Link prefetch={false} href={`/students/${student.id}`} className={link}>
                    {student.name}
                  </Link>
                </td>
                <td role="cell" data-label={t.age}>
                  {student.age}
                </td>
                <td role="cell" data-label={t.gender}>
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
