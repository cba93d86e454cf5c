/**
 * The session, for Next.js: the one module that pages, server actions and
 * the middleware import. The Flask tutorial's `session` dict, made safe:
 * - the cookie is encrypted and authenticated (iron-session's seal), so
 *   nobody can read or forge it; any cookie that cannot be opened is simply
 *   "no session";
 * - `permanent` picks a browser-session cookie or one with a Max-Age;
 * - expiry is enforced on the server, to the second, from timestamps kept
 *   inside the session: idle (sliding while in use) and absolute;
 * - the data lives in the cookie itself (default), or in Redis with only an
 *   id in the cookie, which makes sign-out and "sign out everywhere" final.
 *
 * This file adapts lib/session/ (which works with any cookie jar) to Next.js:
 * `await cookies()` in pages and actions, `request.cookies` in the
 * middleware. Copy both into your app; the one line that ties them to this
 * app is the import of `sessionConfig` below (see README, "Use it in your app").
 */
import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { NextResponse, type NextRequest } from "next/server";
import { sessionConfig } from "@/lib/config";
import { clientAddress } from "./session/client-address";
import { StoreUnavailableError } from "./session/errors";
import { markStoreUnavailable, storeKnownDown } from "./session/health";
import { inspectCookie } from "./session/proxy";
import { createSessions, type Sessions } from "./session/sessions";
import { storeConnection, type StoreLoaders } from "./session/stores";
import type { ActiveSession, RejectReason, Session, SessionConfig, SessionData } from "./session/types";

export type {
  ActiveSession,
  RejectReason,
  Session,
  SessionConfig,
  SessionData,
  SignedInSession,
} from "./session/types";
export {
  FreshSignInRequiredError,
  SessionEndedError,
  SessionTooLargeError,
  StoreUnavailableError,
  TooManySessionsError,
} from "./session/errors";
export { RETRY_AFTER_SECONDS } from "./session/health";
/** The session layer's clock: epoch seconds. */
export { nowSeconds } from "./session/policy";
import { isFresh as isFreshAt, nowSeconds } from "./session/policy";
export { processWide } from "./session/process-wide";
export { clientAddress } from "./session/client-address";

/** The Redis store, loaded only with SESSION_STORE=redis. A cookie-only copy can drop this line and stores/redis*.ts. */
const stores: StoreLoaders = { redis: () => import("./session/stores/redis") };

const instances = new WeakMap<SessionConfig, Sessions>();

/** The jar, what a server-side store is told about the visitor, and the session layer. */
async function request() {
  const jar = await cookies(); // first: it marks the page dynamic before the configuration is read
  const config: SessionConfig = sessionConfig();
  let sessions = instances.get(config);
  if (!sessions) instances.set(config, (sessions = createSessions(config, stores)));
  const requestHeaders = await headers();
  const context = {
    userAgent: requestHeaders.get("user-agent") ?? undefined,
    address: clientAddress(requestHeaders, config.trustProxy),
  };
  return { jar, sessions, context, config };
}

/**
 * The current session, or null for an anonymous visitor. Throws
 * StoreUnavailableError when a server-side store does not answer (see
 * orUnavailable for pages).
 */
export async function getSession(): Promise<Session | null> {
  const { jar, sessions } = await request();
  return sessions.get(jar);
}

/** Signs `user` in with a new session (permanent when `remember`); returns the new cookie's tag, for a log. */
export async function signIn(user: string, remember: boolean): Promise<{ tag: string }> {
  const { jar, sessions, context } = await request();
  return sessions.signIn(jar, user, remember, context);
}

/**
 * Changes the current session (or a new one) and writes it back; returns
 * what `change` returned. Throws SessionTooLargeError, writing nothing, if
 * the session would not fit.
 */
export async function updateSession<T>(change: (data: SessionData) => T): Promise<T> {
  const { jar, sessions, context } = await request();
  return sessions.update(jar, change, context);
}

/** Ends the session (sign-out, and Flask's `session.clear()`); returns who was signed in and the cookie's tag. */
export async function destroySession(): Promise<{ user?: string; tag?: string }> {
  const { jar, sessions } = await request();
  return sessions.destroy(jar);
}

/** Whether the user gave their password lately (within `freshAge`): ending other sessions needs it. */
export function isFresh(session: Session): boolean {
  const config: SessionConfig = sessionConfig();
  return isFreshAt(session.data, nowSeconds(), config);
}

/** Records that the user has just given their password again (checked by the app), so the session is fresh. */
export async function reauthenticated(): Promise<void> {
  const { jar, sessions, context } = await request();
  await sessions.reauthenticated(jar, context);
}

/** The signed-in user's live sessions, this one marked (a server-side store only; empty in the cookie store). */
export async function listSessions(): Promise<ActiveSession[]> {
  const { jar, sessions } = await request();
  return sessions.list(jar);
}

/** Ends one of the signed-in user's sessions by its handle, or `"all"` of them; ending another needs a fresh session (FreshSignInRequiredError). */
export async function endSessions(handle: string): Promise<{ ended: number; signedOutHere: boolean }> {
  const { jar, sessions } = await request();
  return sessions.end(jar, handle);
}

/**
 * For pages and actions that cannot do without the store: runs `work`, and
 * when the store does not answer, sends the visitor back to `path`, which
 * the middleware answers with "session service unavailable" (503) while the
 * store is down. (A page cannot answer with a 503 itself in the App Router.)
 */
export async function orUnavailable<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    markStoreUnavailable();
    redirect(path);
  }
}

/** What the middleware needs to know about a request's session, from its cookie alone. */
export type RequestSession = {
  /** Cookie store: a live session with a user. Server-side store: a genuine cookie (the page asks the store). */
  maybeSignedIn: boolean;
  /** Why the request's cookie was refused, if it was, and the cookie's tag, for a log. */
  rejected?: { reason: RejectReason; tag: string };
  /** The server-side store is known to be down right now: pages that need it should answer 503. */
  storeDown: boolean;
  /**
   * Completes the middleware's response: `redirect` as it is, or (without it)
   * a pass-through whose request carries the up-to-date cookie, so that the
   * page sees the session the browser will have. Adds the Set-Cookie if needed.
   * Pass `requestHeadersChanged` when the middleware changed the request's
   * headers itself (a nonce policy, say), so that the page sees them too; a
   * request left as it was is passed on as it is (cheaper for Next.js).
   */
  respond: (redirect?: NextResponse, requestHeadersChanged?: boolean) => NextResponse;
};

export async function readRequestSession(request: NextRequest): Promise<RequestSession> {
  const config: SessionConfig = sessionConfig();
  const view = await inspectCookie(request.cookies.get(config.cookieName)?.value, config);
  const { update } = view;
  return {
    maybeSignedIn: view.maybeSignedIn,
    rejected: view.rejected,
    storeDown: view.usesServerStore && storeKnownDown(),
    respond: (redirect, requestHeadersChanged = false) => {
      if (!redirect && update) {
        if (update.value) request.cookies.set(config.cookieName, update.value);
        else request.cookies.delete(config.cookieName);
      }
      const response =
        redirect ??
        (update || requestHeadersChanged
          ? NextResponse.next({ request: { headers: request.headers } })
          : NextResponse.next());
      if (update) response.cookies.set(config.cookieName, update.value, update.options);
      return response;
    },
  };
}

/**
 * The server-side store's Redis connection, for the app's other Redis needs
 * (the login throttle counts there); null in the cookie store. Calls made
 * through `run` are bounded like the store's and fail with StoreUnavailableError.
 */
export async function sharedRedis(): Promise<{
  client: unknown;
  run: <T>(work: () => Promise<T>) => Promise<T>;
} | null> {
  return storeConnection(sessionConfig().store, stores);
}
