/**
 * The app's one log writer: one JSON line per event, with its time and level,
 * on stdout (info) or stderr (warn, error), for whatever collects the server's
 * output. The audit log, refused requests, Redis's troubles and npm start's
 * own events all go through it. JavaScript, so that npm start's server
 * (scripts/server.mjs) runs it as it is.
 */

/**
 * @param {"info" | "warn" | "error"} level
 * @param {string} event
 * @param {Record<string, unknown>} [fields]
 * @returns {void}
 */
export function log(level, event, fields = {}) {
  const line = JSON.stringify({ time: new Date().toISOString(), level, event, ...fields });
  if (level === "info") console.log(line);
  else console.error(line);
}

const refused = new Set();

/**
 * A client error the server refused, logged once per cause (per process and
 * bundle), without a stack trace: enough to see that something sends them,
 * without letting one client flood the log.
 * @param {string} cause
 * @param {number} status
 * @param {string} [detail]
 * @returns {void}
 */
export function logRefusal(cause, status, detail) {
  if (refused.has(cause)) return;
  refused.add(cause);
  log("warn", "request.refused", {
    cause,
    status,
    ...(detail ? { detail: detail.slice(0, 200) } : {}),
    note: "logged once per cause; later ones are refused the same way, silently",
  });
}
