"use client";

import { button } from "@/app/ui/styles";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Something went wrong</h1>
      <p>
        The page could not be shown. Try again; if it keeps failing, the server log has the details
        {error.digest ? ` (reference ${error.digest})` : ""}.
      </p>
      <button type="button" className={button} onClick={reset}>
        Try again
      </button>
    </div>
  );
}
