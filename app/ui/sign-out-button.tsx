import { logout } from "@/app/students/actions";
import { SubmitButton } from "./submit-button";
import { secondaryButton } from "./styles";

export function SignOutButton() {
  return (
    <form action={logout}>
      <SubmitButton pendingText="Signing out…" className={secondaryButton}>
        Sign out
      </SubmitButton>
    </form>
  );
}
