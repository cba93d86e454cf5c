/**
 * Client errors the server refused, logged once per cause (per process and
 * bundle), as one JSON line without a stack trace: enough to see that
 * something sends them, without letting one client flood the log.
 * JavaScript, so that npm start's server (scripts/server.mjs) runs it as it is.
 */
const logged = new Set();

/**
 * @param {string} cause
 * @param {number} status
 * @param {string} [detail]
 * @returns {void}
 */
export function logRefusal(cause, status, detail) {
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
