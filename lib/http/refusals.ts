/**
 * Client errors the server refused, logged once per cause (per process and
 * bundle), as one JSON line without a stack trace: enough to see that
 * something sends them, without letting one client flood the log.
 */
const logged = new Set<string>();

export function logRefusal(cause: string, status: number, detail?: string): void {
  if (logged.has(cause)) return;
  logged.add(cause);
  console.warn(
    JSON.stringify({
      time: new Date().toISOString(),
      level: "warn",
      event: "request.refused",
      cause,
      status,
      ...(detail ? { detail: detail.slice(0, 200) } : {}),
      note: "logged once per cause; later ones are refused the same way, silently",
    }),
  );
}
