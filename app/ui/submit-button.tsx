"use client";

import { useFormStatus } from "react-dom";
import { button } from "./styles";

/**
 * A submit button that says so while its form is pending, and does not send it twice. aria-disabled, not
 * disabled: a disabled button loses the keyboard's focus, which would fall back to the top of the page.
 */
export function SubmitButton({
  children,
  pendingText,
  className = button,
  name,
  value,
}: {
  children: React.ReactNode;
  pendingText: string;
  className?: string;
  name?: string;
  value?: string;
}) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      className={className}
      aria-disabled={pending}
      onClick={(event) => pending && event.preventDefault()}
      name={name}
      value={value}
    >
      {pending ? pendingText : children}
    </button>
  );
}
