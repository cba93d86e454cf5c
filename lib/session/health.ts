/**
 * Whether the server-side store answered lately, shared by the middleware
 * and the pages. The middleware never calls the store; it reads this to
 * answer 503 at once while the store is known to be down, and lets a request
 * through again after a short pause, so service comes back by itself when
 * the store does.
 */
import { processWide } from "./process-wide";

export const RETRY_AFTER_SECONDS = 2;

const state = processWide("store-health", () => ({ unavailableUntil: 0 }));

export function markStoreUnavailable(): void {
  state.unavailableUntil = Date.now() + RETRY_AFTER_SECONDS * 1000;
}

export function markStoreAvailable(): void {
  state.unavailableUntil = 0;
}

export function storeKnownDown(): boolean {
  return state.unavailableUntil > Date.now();
}
