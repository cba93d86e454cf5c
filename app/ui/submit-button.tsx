"use client";

import { useFormStatus } from "react-dom";
import { button } from "./styles";

/** A submit button that is disabled, and says so, while its form is pending. */
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
    <button type="submit" className={className} disabled={pending} aria-disabled={pending} name={name} value={value}>
      {pending ? pendingText : children}
    </button>
  );
}
