/**
 * The audit log: one JSON line per security event on stdout, for whatever
 * collects the server's output. Never a password, a secret or a raw cookie:
 * a session is named by a short hash of its cookie at most.
 */
export type AuditEvent = "signin.success" | "signin.failure" | "signin.throttled" | "signout" | "session.rejected";

export type AuditFields = {
  user?: string;
  ip?: string;
  /** sessionTag() of the cookie concerned */
  session?: string;
  reason?: string;
  retryAfterSeconds?: number;
};

export function audit(event: AuditEvent, fields: AuditFields = {}): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", event, ...fields }));
}

/** 12 hex digits of the cookie's SHA-256: enough to follow one session through the log, useless to replay. */
export async function sessionTag(cookieValue: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(cookieValue));
  return Array.from(new Uint8Array(digest).subarray(0, 6), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
