import type { Metadata } from "next";
import Link from "next/link";
import { SignOutButton } from "@/app/ui/sign-out-button";
import { card, link } from "@/app/ui/styles";
import { verifySession } from "@/lib/session";
import { GENDER_LABEL, listStudents } from "@/lib/students";

export const metadata: Metadata = { title: "Students" };

export default async function StudentsPage() {
  const { data } = await verifySession("/students");
  const students = listStudents();
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Students</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Signed in as <strong data-testid="signed-in-user">{data.user}</strong> ·{" "}
            <Link href="/session" className={link}>
              Your session
            </Link>
          </p>
        </div>
        <SignOutButton />
      </div>
      <div className={`${card} overflow-x-auto p-0`}>
        <table className="w-full text-left text-sm">
          <caption className="sr-only">All students</caption>
          <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <tr>
              <th scope="col" className="px-4 py-3 font-medium">
                Name
              </th>
              <th scope="col" className="px-4 py-3 font-medium">
                Age
              </th>
              <th scope="col" className="px-4 py-3 font-medium">
                Gender
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {students.map((student) => (
              <tr key={student.id}>
                <td className="px-4 py-3">
                  <Link href={`/students/${student.id}`} className={link}>
                    {student.name}
                  </Link>
                </td>
                <td className="px-4 py-3 tabular-nums">{student.age}</td>
                <td className="px-4 py-3">{GENDER_LABEL[student.gender]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
