/** The live region in which a form announces its result; present (empty) from the start so it is announced. */
export function FormMessage({ id, message, tone }: { id: string; message?: string; tone: "error" | "success" }) {
  const colour =
    tone === "error"
      ? "border-red-200 bg-red-50 text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
      : "border-emerald-200 bg-emerald-50 text-emerald-800 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-200";
  return (
    // Always present, so that a message put into it is announced; no room taken while empty.
    <div id={id} aria-live="polite" role={tone === "error" ? "alert" : "status"} className="empty:mb-0! empty:mt-0!">
      {/* A long key in the message breaks rather than overflows; words wrap at spaces. */}
      {message ? <p className={`rounded-md border px-3 py-2 text-sm wrap-break-word ${colour}`}>{message}</p> : null}
    </div>
  );
}
