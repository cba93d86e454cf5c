import { verifySession } from "../lib/dal";

/** The guide pattern's signed-in page: the floor's table, behind verifySession(), with the user's name. */
const STUDENTS = [
  { id: 1, name: "Old", age: 38, gender: "Other" },
  { id: 2, name: "Boy", age: 73, gender: "Male" },
  { id: 3, name: "EDU", age: 84, gender: "Female" },
  { id: 4, name: "Lily", age: 21, gender: "Female" },
  { id: 5, name: "Tom", age: 19, gender: "Male" },
];

export default async function Students() {
  const { userId } = await verifySession();
  return (
    <main>
      <h1>Students</h1>
      <p>
        Signed in as <strong>{userId}</strong>
      </p>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Age</th>
            <th>Gender</th>
          </tr>
        </thead>
        <tbody>
          {STUDENTS.map((student) => (
            <tr key={student.id}>
              <td>
                <a href={`/students/${student.id}`}>{student.name}</a>
              </td>
              <td>{student.age}</td>
              <td>{student.gender}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
