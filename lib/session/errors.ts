/** What can go wrong when a session is written or read; each says what happened in plain words. */

/** Browsers drop a cookie whose `name=value; attributes` exceeds 4096 bytes. */
export const MAX_COOKIE_BYTES = 4096;

/** The largest session a server-side store keeps, in bytes of JSON. */
export const MAX_STORED_BYTES = 16 * 1024;

/** The session would not fit (in a cookie, or in the store); nothing was written. */
export class SessionTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly where: "cookie" | "store" = "cookie",
    readonly limit: number = where === "cookie" ? MAX_COOKIE_BYTES : MAX_STORED_BYTES,
  ) {
    super(
      where === "cookie"
        ? `The session would need a ${bytes}-byte cookie; browsers keep at most ${limit}.`
        : `The session would take ${bytes} bytes; the store keeps at most ${limit}.`,
    );
    this.name = "SessionTooLargeError";
  }
}

/** The session store did not answer (down, unreachable, or too slow). Nothing was changed. */
export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super("The session service is unavailable.", { cause });
    this.name = "StoreUnavailableError";
  }
}

/** Too many new server-side sessions from one address lately; nothing was written. */
export class TooManySessionsError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many new sessions from this address; try again in ${retryAfterSeconds} s.`);
    this.name = "TooManySessionsError";
  }
}

/** Ending other sessions needs a recent password (the session's freshAge); nothing was ended. */
export class FreshSignInRequiredError extends Error {
  constructor() {
    super("Enter your password again to end sessions.");
    this.name = "FreshSignInRequiredError";
  }
}

/** The stored session to update is gone (ended elsewhere, or expired): nothing was written. */
export class SessionEndedError extends Error {
  constructor() {
    super("The session has ended.");
    this.name = "SessionEndedError";
  }
}
