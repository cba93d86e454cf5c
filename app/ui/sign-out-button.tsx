import { logout } from "@/app/login/actions";
import { getMessages } from "@/lib/i18n/server";
import { SubmitButton } from "./submit-button";

/** The header's Sign out, on every page while someone is signed in. */
export async function SignOutButton() {
  const { m } = await getMessages();
  return (
    <form action={logout}>
      <SubmitButton pendingText={m.students.signingOut} className="header-button">
        {m.students.signOut}
      </SubmitButton>
    </form>
  );
}
