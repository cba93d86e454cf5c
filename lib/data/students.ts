import "server-only";

/** The tutorial's STUDENT_DICT, typed. */
export type Gender = "male" | "female" | "other";
export type Student = { id: number; name: string; age: number; gender: Gender };

const STUDENTS: readonly Student[] = [
  { id: 1, name: "Old", age: 38, gender: "other" },
  { id: 2, name: "Boy", age: 73, gender: "male" },
  { id: 3, name: "EDU", age: 84, gender: "female" },
  { id: 4, name: "Lily", age: 21, gender: "female" },
  { id: 5, name: "Tom", age: 19, gender: "male" },
];

export function listStudents(): readonly Student[] {
  return STUDENTS;
}

/** The student for a URL segment; null for unknown or malformed ids ("01", "1e3", "-1", "abc"). */
export function findStudent(idSegment: string): Student | null {
  if (!/^[1-9]\d{0,8}$/.test(idSegment)) return null;
  const id = Number(idSegment);
  return STUDENTS.find((student) => student.id === id) ?? null;
}
