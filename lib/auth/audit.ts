/**
 * The audit log: one line per security event (lib/log.mjs), for whatever
 * collects the server's output. Never a password, a secret or a raw cookie:
 * a session is named by a short hash of its cookie at most.
 */
import { log } from "../log.mjs";

type AuditEvent =
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

type AuditFields = {
  user?: string;
  ip?: string;
  /** The tag of the cookie concerned (a short hash, from lib/session.ts) */
  session?: string;
  reason?: string;
  retryAfterSeconds?: number;
  count?: number;
};

export function audit(event: AuditEvent, fields: AuditFields = {}): void {
  log("info", event, fields);
}
