/**
 * The audit log: one JSON line per security event on stdout, for whatever
 * collects the server's output. Never a password, a secret or a raw cookie:
 * a session is named by a short hash of its cookie at most.
 */
export type AuditEvent =
  | "signin.success"
  | "signin.failure"
  | "signin.throttled"
  | "signout"
  | "session.rejected"
  /** The password given again, before ending sessions. */
  | "confirm.success"
  | "confirm.failure"
  | "confirm.throttled"
  /** Sessions ended from the session list (`count` of them). */
  | "sessions.ended";

export type AuditFields = {
  user?: string;
  ip?: string;
  /** The tag of the cookie concerned (a short hash, from lib/session.ts) */
  session?: string;
  reason?: string;
  retryAfterSeconds?: number;
  count?: number;
};

export function audit(event: AuditEvent, fields: AuditFields = {}): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", event, ...fields }));
}
