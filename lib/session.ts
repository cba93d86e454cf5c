/**
 * The session: the only module that knows about iron-session, the cookie's
 * name and attributes, and what a session holds.
 *
 * The Flask tutorial's `session` dict, made safe:
 * - the cookie is encrypted and authenticated (iron-session's Fe26.2 seal),
 *   so nobody can read or forge it;
 * - `session.permanent` picks a browser-session cookie or one with a Max-Age;
 * - expiry is enforced here, to the second, from timestamps kept inside the
 *   seal: idle (`SESSION_LIFETIME`, sliding while in use) and absolute
 *   (`SESSION_ABSOLUTE_LIFETIME` since sign-in);
 * - any cookie that cannot be opened is simply "no session";
 * - where the data lives is the store's business (lib/session-store.ts): in
 *   the cookie itself (default), or in Redis with only an id in the cookie
 *   (SESSION_STORE=redis), which makes sign-out and "sign out everywhere" final.
 */
import "server-only";
import { sealData, unsealData, type UnsealErrorReason } from "iron-session";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { NextResponse, type NextRequest } from "next/server";
import { sessionTag } from "./audit";
import { getConfig, type Config } from "./config";
import {
  cookieStore,
  MAX_STORED_BYTES,
  SessionEndedError,
  sessionHandle,
  storeFor,
  StoreTooLargeError,
  type Ref,
  type SessionInfo,
  type SessionStore,
} from "./session-store";
import { markStoreUnavailable, StoreUnavailableError } from "./store-health";

export { StoreUnavailableError } from "./store-health";
export { SessionEndedError } from "./session-store";

/** What a session holds. Times are epoch seconds. */
export type SessionData = {
  /** The signed-in user's name (Flask: `session["user"]`); absent for a visitor. */
  user?: string;
  /** Flask's `session.permanent`: a cookie with Max-Age instead of a browser-session cookie. */
  permanent: boolean;
  /** The playground's keys and values (Flask: `session[key] = value`). */
  values: Record<string, string>;
  /** When the session began (sign-in, or the first value set): start of the absolute lifetime. */
  createdAt: number;
  /** When the session was last refreshed: start of the idle lifetime, slid forward while in use. */
  refreshedAt: number;
};

/** A session that was read from a valid cookie. */
export type Session = {
  data: SessionData;
  /** Epoch seconds when the session ends unless it is used (and refreshed) before then. */
  expiresAt: number;
  /** Size of the cookie value in bytes. */
  cookieBytes: number;
  /** Where the data lives. */
  store: "cookie" | "redis";
  /** The session's handle in a revocable store (see listSessions). */
  handle?: string;
};

export type SignedInSession = Session & { data: SessionData & { user: string } };

/** Browsers drop a cookie whose `name=value; attributes` exceeds 4096 bytes. */
export const MAX_COOKIE_BYTES = 4096;

/** The session would not fit (in a cookie, or in the store); nothing was written. */
export class SessionTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number = MAX_COOKIE_BYTES,
    readonly where: "cookie" | "store" = "cookie",
  ) {
    super(
      where === "cookie"
        ? `The session would need a ${bytes}-byte cookie; browsers keep at most ${limit}.`
        : `The session would take ${bytes} bytes; the store keeps at most ${limit}.`,
    );
    this.name = "SessionTooLargeError";
  }
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                      */
/* ------------------------------------------------------------------------ */

type Passwords = Record<string, string>;
type Keyring = { seal: Passwords; open: Passwords; fingerprint: string };

/**
 * Each secret gets an id derived from its own SHA-256, so a seal names the
 * secret that made it and opens whatever the order of SESSION_SECRET and
 * SESSION_SECRET_FALLBACKS (iron-session would otherwise number them by
 * position, and a rotation would shift every number). 24 bits keep the
 * cookie short; a collision between two configured secrets is reported.
 */
async function secretId(secret: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)));
  return String(((digest[0] << 16) | (digest[1] << 8) | digest[2]) + 1);
}

const keyrings = new WeakMap<Config, Promise<Keyring>>();

function keyring(config: Config): Promise<Keyring> {
  let ring = keyrings.get(config);
  if (!ring) {
    ring = (async () => {
      const all = [config.secret, ...config.fallbackSecrets];
      const ids = await Promise.all(all.map(secretId));
      const open: Passwords = {};
      ids.forEach((id, index) => {
        if (open[id] !== undefined) {
          throw new Error("Two session secrets share a key id; replace one of them with a newly generated secret.");
        }
        open[id] = all[index];
      });
      return { seal: { [ids[0]]: config.secret }, open, fingerprint: ids.join(",") };
    })();
    keyrings.set(config, ring);
  }
  return ring;
}

/* ------------------------------------------------------------------------ */
/* Time                                                                      */
/* ------------------------------------------------------------------------ */

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function expiresAt(data: SessionData, config: Config = getConfig()): number {
  return Math.min(data.refreshedAt + config.lifetime, data.createdAt + config.absoluteLifetime);
}

/**
 * How long a session is used before it is re-written with a new `refreshedAt`:
 * a tenth of the lifetime, at most 5 minutes. Re-sealing on every request
 * (Flask's default) would cost a seal and a Set-Cookie each time.
 */
export function refreshInterval(config: Config = getConfig()): number {
  return Math.max(1, Math.min(300, Math.floor(config.lifetime / 10)));
}

/* ------------------------------------------------------------------------ */
/* Opening cookies                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Seals that were already opened and checked, shared by every bundle in the
 * process (the middleware and the pages are separate bundles) through
 * globalThis, so a request opens its cookie once even though both look at it.
 * Only valid seals are kept, tied to the set of secrets that opened them;
 * expiry is checked on every read.
 */
const CACHE_LIMIT = 10_000;
type CacheEntry = { ref: Ref; fingerprint: string };
const CACHE_KEY = Symbol.for("next-sessions.opened-seals");
const globalCache = globalThis as typeof globalThis & { [CACHE_KEY]?: Map<string, CacheEntry> };
const openedSeals = (globalCache[CACHE_KEY] ??= new Map());

function remember(seal: string, entry: CacheEntry) {
  if (openedSeals.size >= CACHE_LIMIT) {
    openedSeals.delete(openedSeals.keys().next().value as string);
  }
  openedSeals.set(seal, entry);
}

export type RejectReason =
  | UnsealErrorReason
  | "malformed"
  | "idle-expired"
  | "absolute-expired"
  /** A stored session that is not (or no longer) in the store: ended, expired, or never issued. */
  | "unknown-session";

/** Unseals a cookie and checks its payload's shape; no I/O. */
async function openSeal(seal: string, config: Config, store: SessionStore): Promise<Ref | RejectReason> {
  const keys = await keyring(config);
  const cached = openedSeals.get(seal);
  if (cached && cached.fingerprint === keys.fingerprint) return cached.ref;
  const rejected: { reason?: UnsealErrorReason } = {};
  const payload = await unsealData<unknown>(seal, {
    password: keys.open,
    onUnsealError: (reason) => {
      rejected.reason = reason;
    },
  });
  if (rejected.reason) return rejected.reason;
  const ref = store.parse(payload);
  if (!ref) return "malformed";
  remember(seal, { ref, fingerprint: keys.fingerprint });
  return ref;
}

function expiryReason(data: SessionData, now: number, config: Config): RejectReason | null {
  if (now >= data.createdAt + config.absoluteLifetime) return "absolute-expired";
  if (now >= data.refreshedAt + config.lifetime) return "idle-expired";
  return null;
}

type Opened =
  | { data: SessionData; id?: string; userAgent?: string; reason?: undefined }
  | { reason: RejectReason; data?: undefined };

/** Opens a cookie and loads its session from the store (I/O in a server-side store). */
async function openCookie(seal: string, now: number, config: Config, store: SessionStore): Promise<Opened> {
  const ref = await openSeal(seal, config, store);
  if (typeof ref === "string") return { reason: ref };
  const loaded = await store.load(ref);
  if (!loaded) return { reason: "unknown-session" };
  const reason = expiryReason(loaded.data, now, config);
  if (reason) {
    openedSeals.delete(seal);
    return { reason };
  }
  // A copy: callers may change it before writing it back.
  return { data: { ...loaded.data, values: { ...loaded.data.values } }, id: loaded.id, userAgent: loaded.userAgent };
}

/**
 * Opens a cookie value. Returns null for anything that is not a live session
 * (garbage, tampered, unknown key, expired, ended): the visitor is then anonymous.
 */
export async function openSession(
  seal: string | undefined,
  now: number = nowSeconds(),
  config: Config = getConfig(),
): Promise<SessionData | null> {
  if (!seal) return null;
  return (await openCookie(seal, now, config, storeFor(config))).data ?? null;
}

/* ------------------------------------------------------------------------ */
/* Reading, in pages and actions                                             */
/* ------------------------------------------------------------------------ */

type Current = { session: Session; id?: string } | null;

/**
 * The current request's session. In a server-side store a live session used
 * after its refresh interval slides forward here (a store write; the cookie,
 * which holds only the id, stays as it is).
 */
async function current(): Promise<Current> {
  const store_ = await cookies(); // first: it marks the page dynamic before config is read
  const config = getConfig();
  const seal = store_.get(config.cookieName)?.value;
  if (!seal) return null;
  const store = storeFor(config);
  const now = nowSeconds();
  const opened = await openCookie(seal, now, config, store);
  if (!opened.data) return null;
  const { data, id, userAgent } = opened;
  if (id && now - data.refreshedAt >= refreshInterval(config)) {
    data.refreshedAt = now;
    await store.save(data, { id, ttl: expiresAt(data, config) - now, userAgent }).catch((error: unknown) => {
      if (!(error instanceof SessionEndedError)) throw error;
    });
  }
  return {
    session: {
      data,
      expiresAt: expiresAt(data, config),
      cookieBytes: new TextEncoder().encode(seal).length,
      store: store.kind,
      ...(id ? { handle: await sessionHandle(id) } : {}),
    },
    id,
  };
}

/**
 * The current request's session, or null for an anonymous visitor. For
 * pages and server actions. Throws StoreUnavailableError when the session
 * store does not answer.
 */
export async function getSession(): Promise<Session | null> {
  return (await current())?.session ?? null;
}

/** For pages where "anonymous" is a safe answer (/, /login): the session, or null, also when the store does not answer. */
export async function getSessionOrNull(): Promise<Session | null> {
  try {
    return await getSession();
  } catch (error) {
    if (error instanceof StoreUnavailableError) return null;
    throw error;
  }
}

/**
 * For pages: the session, or null; when the store does not answer, the
 * visitor is sent back to `returnTo`, which the middleware then answers with
 * a "session service unavailable" page (503) until the store is back.
 */
export async function getSessionOrRetry(returnTo: string): Promise<Session | null> {
  try {
    return await getSession();
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    markStoreUnavailable();
    redirect(returnTo);
  }
}

/**
 * The authoritative check, for every guarded page and every server action
 * that needs a user: a live session whose user still exists. Anyone else is
 * sent to /login, with `next` set to where they were going.
 */
export async function verifySession(returnTo: string): Promise<SignedInSession> {
  const session = await getSessionOrRetry(returnTo);
  const user = session?.data.user;
  if (!session || user === undefined || !getConfig().users.has(user)) {
    redirect(loginPath(returnTo));
  }
  return session as SignedInSession;
}

export function loginPath(returnTo: string): string {
  return `/login?${new URLSearchParams({ next: returnTo })}`;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */
/* ------------------------------------------------------------------------ */

type CookieOptions = {
  httpOnly: true;
  secure: boolean;
  sameSite: "lax";
  path: "/";
  maxAge?: number;
};

function cookieOptions(config: Config, maxAge?: number): CookieOptions {
  const options: CookieOptions = { httpOnly: true, secure: config.production, sameSite: "lax", path: "/" };
  if (maxAge !== undefined) options.maxAge = maxAge;
  return options;
}

/** Bytes of the Set-Cookie header value the browser will judge. */
function setCookieBytes(name: string, value: string, options: CookieOptions): number {
  const attributes = `; Path=/; HttpOnly; SameSite=Lax${options.secure ? "; Secure" : ""}${
    options.maxAge !== undefined ? `; Max-Age=${options.maxAge}; Expires=Thu, 01 Jan 1970 00:00:00 GMT` : ""
  }`;
  return new TextEncoder().encode(`${name}=${value}${attributes}`).length;
}

type SealedCookie = { value: string; options: CookieOptions };

/**
 * Seals a payload into a cookie that lives `lifetime` seconds: a
 * browser-session cookie has no Max-Age, a permanent one has that Max-Age.
 * The seal itself expires then too (iron-session's own check, with its 60 s
 * of skew on top of ours).
 */
async function sealPayload(
  payload: object,
  permanent: boolean,
  lifetime: number,
  config: Config,
  cacheAs: Ref,
): Promise<SealedCookie> {
  const keys = await keyring(config);
  const value = await sealData(payload, { password: keys.seal, ttl: Math.max(1, lifetime) });
  const options = cookieOptions(config, permanent ? Math.max(1, lifetime) : undefined);
  const bytes = setCookieBytes(config.cookieName, value, options);
  if (bytes > MAX_COOKIE_BYTES) throw new SessionTooLargeError(bytes);
  remember(value, { ref: cacheAs, fingerprint: keys.fingerprint });
  return { value, options };
}

/**
 * Seals a session kept in the cookie itself: it lives until the session
 * would expire. (The cookie store's payload; exported for tests and tools.)
 */
export async function sealSession(data: SessionData, config: Config, now: number): Promise<SealedCookie> {
  const { payload } = await cookieStore.save(data, { ttl: 0 });
  return sealPayload(payload, data.permanent, expiresAt(data, config) - now, config, { data });
}

/**
 * Stores the session and seals what the cookie must carry. In the cookie
 * store that is the data; in Redis it is the id, and the cookie lives until
 * the absolute lifetime (the idle lifetime is enforced by the record's TTL).
 * `id` updates that record; without it a new id is issued.
 */
async function persist(data: SessionData, config: Config, now: number, id?: string): Promise<SealedCookie> {
  const store = storeFor(config);
  if (store.kind === "cookie") return sealSession(data, config, now);
  const userAgent = (await headers()).get("user-agent") ?? undefined;
  let saved: { payload: object; id?: string };
  try {
    saved = await store.save(data, { id, ttl: expiresAt(data, config) - now, userAgent });
  } catch (error) {
    if (error instanceof StoreTooLargeError) throw new SessionTooLargeError(error.bytes, MAX_STORED_BYTES, "store");
    throw error;
  }
  return sealPayload(saved.payload, data.permanent, data.createdAt + config.absoluteLifetime - now, config, {
    id: saved.id!,
  });
}

/**
 * An expired cookie. It carries the same attributes as the live one: a
 * `__Host-` cookie can only be replaced by a Secure, Path=/ Set-Cookie, so
 * the plain `cookies().delete()` would leave it in place.
 */
function expiredCookie(config: Config): SealedCookie {
  return { value: "", options: cookieOptions(config, 0) };
}

async function writeCookie(cookie: SealedCookie) {
  (await cookies()).set(getConfig().cookieName, cookie.value, cookie.options);
}

/** A fresh session for a visitor who has none. */
function blankSession(now: number): SessionData {
  return { permanent: false, values: {}, createdAt: now, refreshedAt: now };
}

/**
 * Signs `user` in: a new session (new timestamps, so the absolute lifetime
 * starts now; in a server-side store a new id, the old record deleted, so a
 * session id planted before sign-in is worthless), permanent when "remember
 * me" was ticked. The playground's values carry over, as keys of Flask's
 * session would. Returns the new cookie's tag, for the audit log.
 */
export async function signIn(user: string, remember: boolean): Promise<string> {
  const config = getConfig();
  const now = nowSeconds();
  const previous = await current();
  const data: SessionData = {
    user,
    permanent: remember,
    values: previous?.session.data.values ?? {},
    createdAt: now,
    refreshedAt: now,
  };
  const cookie = await persist(data, config, now);
  if (previous?.id) await storeFor(config).destroy({ id: previous.id });
  await writeCookie(cookie);
  return sessionTag(cookie.value);
}

/**
 * Ends the session: the stored record (if any) is deleted and the cookie is
 * expired (Flask: `session.clear()`). Returns who was signed in and the
 * cookie's tag, for the audit log.
 */
export async function destroySession(): Promise<{ user?: string; session?: string }> {
  const config = getConfig();
  const seal = (await cookies()).get(config.cookieName)?.value;
  const previous = await current();
  if (previous?.id) await storeFor(config).destroy({ id: previous.id });
  await writeCookie(expiredCookie(config));
  return { user: previous?.session.data.user, session: seal ? await sessionTag(seal) : undefined };
}

/** Signing out ends the whole session, as clear does: there is nothing else worth keeping. */
export const signOut = destroySession;

/**
 * Changes the current session (or a new one) and writes it back; throws
 * SessionTooLargeError, writing nothing, when the result would not fit.
 */
export async function updateSession(change: (data: SessionData) => void): Promise<SessionData> {
  const config = getConfig();
  const now = nowSeconds();
  const previous = await current();
  const data = previous?.session.data ?? blankSession(now);
  change(data);
  data.refreshedAt = now;
  if (data.user === undefined && !data.permanent && Object.keys(data.values).length === 0) {
    if (previous?.id) await storeFor(config).destroy({ id: previous.id });
    await writeCookie(expiredCookie(config));
  } else {
    await writeCookie(await persist(data, config, now, previous?.id));
  }
  return data;
}

/* ------------------------------------------------------------------------ */
/* A user's sessions (server-side store only)                                */
/* ------------------------------------------------------------------------ */

export type ActiveSession = SessionInfo & { current: boolean };

/** Whether sessions live on the server, where they can be listed and ended. */
export function sessionsAreRevocable(): boolean {
  return storeFor(getConfig()).revocable;
}

/** The signed-in user's live sessions, this one marked; empty in the cookie store. */
export async function listSessions(): Promise<ActiveSession[]> {
  const mine = await current();
  const user = mine?.session.data.user;
  if (user === undefined) return [];
  const sessions = await storeFor(getConfig()).list(user);
  return sessions.map(({ id, ...info }) => ({ ...info, current: id === mine?.id }));
}

/**
 * Ends one of the signed-in user's sessions, by its handle (`"all"`: every
 * one, this one included). Says how many ended (0 for a handle that is not
 * one of theirs) and whether this session was among them.
 */
export async function endSessions(handle: string): Promise<{ ended: number; signedOutHere: boolean }> {
  const config = getConfig();
  const mine = await current();
  const user = mine?.session.data.user;
  if (user === undefined) return { ended: 0, signedOutHere: false };
  const store = storeFor(config);
  const sessions = await store.list(user);
  const chosen = handle === "all" ? sessions : sessions.filter((session) => session.handle === handle);
  const ended = await store.destroyMany(
    user,
    chosen.map((session) => session.id),
  );
  const signedOutHere = chosen.some((session) => session.id === mine?.id);
  if (signedOutHere) await writeCookie(expiredCookie(config));
  return { ended, signedOutHere };
}

/* ------------------------------------------------------------------------ */
/* Middleware                                                                */
/* ------------------------------------------------------------------------ */

/**
 * What the middleware learns from the cookie alone (it never calls a
 * store): whether the visitor may be signed in, and how to bring the
 * browser's cookie up to date. In the cookie store it knows the whole
 * session: a live one slides forward when its refresh interval has passed,
 * a dead one is expired. In a server-side store it only knows that the
 * cookie is genuine; the page checks the store.
 */
export type RequestSession = {
  /** Cookie store: a live session with a user. Server-side store: a genuine cookie. */
  maybeSignedIn: boolean;
  /** Why the request's cookie was refused, if it had one that was, and the cookie's tag for the log. */
  rejected?: { reason: RejectReason; session: string };
  /** Whether the session lives in a server-side store, which can be down. */
  usesServerStore: boolean;
  /**
   * Completes the middleware's response: `redirect` as it is, or (without it)
   * a pass-through whose request carries the up-to-date cookie, so the page
   * sees the same session as the browser will. Adds the Set-Cookie if needed.
   */
  respond: (redirect?: NextResponse) => NextResponse;
};

export async function readRequestSession(request: NextRequest): Promise<RequestSession> {
  const config = getConfig();
  const store = storeFor(config);
  const seal = request.cookies.get(config.cookieName)?.value;
  const now = nowSeconds();
  let maybeSignedIn = false;
  let reason: RejectReason | undefined;
  let update: SealedCookie | null = null;
  if (seal) {
    const ref = await openSeal(seal, config, store);
    if (typeof ref === "string") {
      reason = ref;
    } else if (!ref.data) {
      maybeSignedIn = true; // an id: only the store can say more, and the middleware does not ask it
    } else {
      const data: SessionData = { ...ref.data };
      reason = expiryReason(data, now, config) ?? undefined;
      maybeSignedIn = !reason && data.user !== undefined;
      if (!reason && now - data.refreshedAt >= refreshInterval(config)) {
        data.refreshedAt = now;
        update = await sealSession(data, config, now).catch(() => null); // it fitted before; keep it if not
      }
    }
    if (reason) update = expiredCookie(config);
  }
  return {
    maybeSignedIn,
    usesServerStore: store.revocable,
    rejected: reason && seal ? { reason, session: await sessionTag(seal) } : undefined,
    respond: (redirect) => {
      if (!redirect && update) {
        if (update.value) request.cookies.set(config.cookieName, update.value);
        else request.cookies.delete(config.cookieName);
      }
      const response = redirect ?? NextResponse.next({ request: { headers: request.headers } });
      if (update) response.cookies.set(config.cookieName, update.value, update.options);
      return response;
    },
  };
}
