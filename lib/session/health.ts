/**
 * Whether the server-side store can answer right now, shared by the
 * middleware and the pages. The middleware never calls the store; it reads
 * this to answer 503 at once while the store is known to be down: the
 * connection is lost (and being made again), or a call just now found the
 * store too slow. Service comes back by itself when the store does.
 */
import { processWide } from "./process-wide";

export const RETRY_AFTER_SECONDS = 2;

const state = processWide("store-health", () => ({ unavailableUntil: 0, connectionLost: false }));

/** A call found the store down or too slow: pages that need it answer 503 for a moment. */
export function markStoreUnavailable(): void {
  state.unavailableUntil = Date.now() + RETRY_AFTER_SECONDS * 1000;
}

/** The connection was lost (true) or is ready again (false). */
export function markConnectionLost(lost: boolean): void {
  state.connectionLost = lost;
  if (!lost) state.unavailableUntil = 0;
}

export function storeKnownDown(): boolean {
  return state.connectionLost || state.unavailableUntil > Date.now();
}
