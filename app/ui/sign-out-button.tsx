import { logout } from "@/app/login/actions";
import { getMessages } from "@/lib/i18n/server";
import { secondaryButton } from "./styles";
import { SubmitButton } from "./submit-button";

export async function SignOutButton() {
  const { m } = await getMessages();
  return (
    <form action={logout}>
      <SubmitButton pendingText={m.students.signingOut} className={secondaryButton}>
        {m.students.signOut}
      </SubmitButton>
    </form>
  );
}
