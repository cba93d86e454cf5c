/**
 * Whether the session store answered lately, shared by the middleware and
 * the pages (separate bundles, one process) through globalThis. The
 * middleware never calls Redis; it reads this flag to answer 503 at once
 * while the store is known to be down, and retries after a short pause, so
 * service comes back by itself when the store does.
 */
export const RETRY_AFTER_SECONDS = 2;

const KEY = Symbol.for("next-sessions.store-unavailable-until");
const state = globalThis as typeof globalThis & { [KEY]?: number };

export function markStoreUnavailable(): void {
  state[KEY] = Date.now() + RETRY_AFTER_SECONDS * 1000;
}

export function markStoreAvailable(): void {
  state[KEY] = 0;
}

export function storeUnavailable(): boolean {
  return (state[KEY] ?? 0) > Date.now();
}

/** The session store did not answer (down, unreachable, or too slow). Nothing was changed. */
export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super("The session service is unavailable.", { cause });
    this.name = "StoreUnavailableError";
  }
}
