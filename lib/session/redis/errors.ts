/**
 * What the Redis store throws, apart from the store: the app's core tells
 * these apart (a 503, a form's message) without loading the store, which
 * lib/config loads only when SESSION_STORE=redis.
 */

/** The store did not answer (down, unreachable or too slow): a write may or may not have been made. */
export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super("The session service is unavailable.", { cause });
    this.name = "StoreUnavailableError";
  }
}

/** The session would take more than a record keeps (16 KB); nothing was written. */
export class RecordTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`The session would take ${bytes} bytes; the store keeps at most ${limit}.`);
    this.name = "RecordTooLargeError";
  }
}

/** Too many new sessions from one address lately; nothing was written. */
export class TooManySessionsError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many new sessions from this address; try again in ${retryAfterSeconds} s.`);
    this.name = "TooManySessionsError";
  }
}

/** The session ended (elsewhere, or it expired) between reading and writing it; nothing was written. */
export class SessionEndedError extends Error {
  constructor() {
    super("The session has ended.");
    this.name = "SessionEndedError";
  }
}

/** The session's device binding changed between reading and writing it (another renewal came first); nothing was written. */
export class BindingChangedError extends Error {
  constructor() {
    super("The session's device binding changed meanwhile.");
    this.name = "BindingChangedError";
  }
}

/** Ending another session needs a password given lately (`freshAge`); nothing was ended. */
export class FreshSignInRequiredError extends Error {
  constructor() {
    super("Enter your password again to end sessions.");
    this.name = "FreshSignInRequiredError";
  }
}
