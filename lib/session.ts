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
 * - any cookie that cannot be opened is simply "no session".
 *
 * Works in the Node.js and Edge runtimes (WebCrypto only, no node: modules).
 */
import "server-only";
import { sealData, unsealData, type UnsealErrorReason } from "iron-session";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { NextResponse, type NextRequest } from "next/server";
import { sessionTag } from "./audit";
import { getConfig, type Config } from "./config";

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
  /** When the seal was last written: start of the idle lifetime, slid forward while in use. */
  refreshedAt: number;
};

/** A session that was read from a valid cookie. */
export type Session = {
  data: SessionData;
  /** Epoch seconds when the session ends unless it is used (and refreshed) before then. */
  expiresAt: number;
  /** Size of the cookie value in bytes. */
  cookieBytes: number;
};

export type SignedInSession = Session & { data: SessionData & { user: string } };

/** Browsers drop a cookie whose `name=value; attributes` exceeds 4096 bytes. */
export const MAX_COOKIE_BYTES = 4096;

/** The session would not fit in a cookie; nothing was written. */
export class SessionTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`The session would need a ${bytes}-byte cookie; browsers keep at most ${MAX_COOKIE_BYTES}.`);
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
/* Wire format                                                               */
/* ------------------------------------------------------------------------ */

/**
 * The JSON inside the seal, with one-letter keys: every byte is sent with
 * every request. Kept apart from SessionData so the public type stays readable.
 */
type Wire = { u?: string; p?: 1; v?: Record<string, string>; c: number; r: number };

function toWire(data: SessionData): Wire {
  const wire: Wire = { c: data.createdAt, r: data.refreshedAt };
  if (data.user !== undefined) wire.u = data.user;
  if (data.permanent) wire.p = 1;
  if (Object.keys(data.values).length > 0) wire.v = data.values;
  return wire;
}

const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

/** Validates the unsealed JSON: a seal we made is well-formed, anything else is refused. */
function fromWire(raw: unknown): SessionData | null {
  if (typeof raw !== "object" || raw === null) return null;
  const wire = raw as Partial<Record<keyof Wire, unknown>>;
  if (!isTime(wire.c) || !isTime(wire.r)) return null;
  if (wire.u !== undefined && typeof wire.u !== "string") return null;
  const values: Record<string, string> = {};
  if (wire.v !== undefined) {
    if (typeof wire.v !== "object" || wire.v === null || Array.isArray(wire.v)) return null;
    for (const [key, value] of Object.entries(wire.v)) {
      if (typeof value !== "string") return null;
      values[key] = value;
    }
  }
  return {
    ...(wire.u !== undefined ? { user: wire.u } : {}),
    permanent: wire.p === 1,
    values,
    createdAt: wire.c,
    refreshedAt: wire.r,
  };
}

/* ------------------------------------------------------------------------ */
/* Time                                                                      */
/* ------------------------------------------------------------------------ */

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function expiresAt(data: SessionData, config: Config = getConfig()): number {
  return Math.min(data.refreshedAt + config.lifetime, data.createdAt + config.absoluteLifetime);
}

/**
 * How long a seal is used before it is re-written with a new `refreshedAt`:
 * a tenth of the lifetime, at most 5 minutes. Re-sealing on every request
 * (Flask's default) would cost a seal and a Set-Cookie each time.
 */
export function refreshInterval(config: Config = getConfig()): number {
  return Math.max(1, Math.min(300, Math.floor(config.lifetime / 10)));
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * Seals that were already opened and checked, shared by every bundle in the
 * process (the middleware and the pages are separate bundles) through
 * globalThis, so a request opens its cookie once even though both look at it.
 * Only successfully opened seals are kept; expiry is checked on every read;
 * entries are tied to the set of secrets that opened them.
 */
const CACHE_LIMIT = 10_000;
type CacheEntry = { data: SessionData; fingerprint: string };
const CACHE_KEY = Symbol.for("next-sessions.opened-seals");
const globalCache = globalThis as typeof globalThis & { [CACHE_KEY]?: Map<string, CacheEntry> };
const openedSeals = (globalCache[CACHE_KEY] ??= new Map());

function remember(seal: string, entry: CacheEntry) {
  if (openedSeals.size >= CACHE_LIMIT) {
    openedSeals.delete(openedSeals.keys().next().value as string);
  }
  openedSeals.set(seal, entry);
}

export type RejectReason = UnsealErrorReason | "malformed" | "idle-expired" | "absolute-expired";

type Inspected = { data: SessionData; reason?: undefined } | { data?: undefined; reason: RejectReason };

async function unseal(seal: string, keys: Keyring): Promise<SessionData | RejectReason> {
  const rejected: { reason?: UnsealErrorReason } = {};
  const raw = await unsealData<unknown>(seal, {
    password: keys.open,
    onUnsealError: (reason) => {
      rejected.reason = reason;
    },
  });
  return rejected.reason ?? fromWire(raw) ?? "malformed";
}

/** Opens a cookie value and says why it is refused when it is. */
async function inspectSession(seal: string, now: number, config: Config): Promise<Inspected> {
  const keys = await keyring(config);
  const cached = openedSeals.get(seal);
  let data: SessionData;
  if (cached && cached.fingerprint === keys.fingerprint) {
    data = cached.data;
  } else {
    const opened = await unseal(seal, keys);
    if (typeof opened === "string") return { reason: opened };
    data = opened;
    remember(seal, { data, fingerprint: keys.fingerprint });
  }
  const reason: RejectReason | null =
    now >= data.createdAt + config.absoluteLifetime
      ? "absolute-expired"
      : now >= data.refreshedAt + config.lifetime
        ? "idle-expired"
        : null;
  if (reason) {
    openedSeals.delete(seal);
    return { reason };
  }
  // A copy: callers may change it before writing it back.
  return { data: { ...data, values: { ...data.values } } };
}

/**
 * Opens a cookie value. Returns null for anything that is not a live session
 * (garbage, tampered, unknown key, expired): the visitor is then anonymous.
 */
export async function openSession(
  seal: string | undefined,
  now: number = nowSeconds(),
  config: Config = getConfig(),
): Promise<SessionData | null> {
  if (!seal) return null;
  return (await inspectSession(seal, now, config)).data ?? null;
}

function toSession(data: SessionData, seal: string, config: Config): Session {
  return { data, expiresAt: expiresAt(data, config), cookieBytes: new TextEncoder().encode(seal).length };
}

/** The current request's session, or null for an anonymous visitor. For pages and server actions. */
export async function getSession(): Promise<Session | null> {
  const store = await cookies(); // first: it marks the page dynamic before config is read
  const config = getConfig();
  const seal = store.get(config.cookieName)?.value;
  const data = await openSession(seal, nowSeconds(), config);
  return data && seal ? toSession(data, seal, config) : null;
}

/**
 * The authoritative check, for every guarded page and every server action
 * that needs a user: a live session whose user still exists. Anyone else is
 * sent to /login, with `next` set to where they were going.
 */
export async function verifySession(returnTo: string): Promise<SignedInSession> {
  const session = await getSession();
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
 * Seals the data into a cookie. A browser-session cookie has no Max-Age; a
 * permanent one lives until the session would expire. The seal itself
 * expires then too (iron-session's own check, 60 s of skew on top of ours).
 */
export async function sealSession(data: SessionData, config: Config, now: number): Promise<SealedCookie> {
  const remaining = Math.max(1, expiresAt(data, config) - now);
  const value = await sealData(toWire(data), { password: (await keyring(config)).seal, ttl: remaining });
  const options = cookieOptions(config, data.permanent ? remaining : undefined);
  const bytes = setCookieBytes(config.cookieName, value, options);
  if (bytes > MAX_COOKIE_BYTES) throw new SessionTooLargeError(bytes);
  remember(value, { data, fingerprint: (await keyring(config)).fingerprint });
  return { value, options };
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
 * starts now), permanent when "remember me" was ticked. The playground's
 * values carry over, as keys of Flask's session would. Returns the new
 * cookie's tag, for the audit log.
 */
export async function signIn(user: string, remember: boolean): Promise<string> {
  const config = getConfig();
  const now = nowSeconds();
  const previous = await getSession();
  const data: SessionData = {
    user,
    permanent: remember,
    values: previous?.data.values ?? {},
    createdAt: now,
    refreshedAt: now,
  };
  const cookie = await sealSession(data, config, now);
  await writeCookie(cookie);
  return sessionTag(cookie.value);
}

/**
 * Ends the session: the cookie is expired and nothing of it remains (Flask:
 * `session.clear()`). Returns who was signed in and the cookie's tag, for the audit log.
 */
export async function destroySession(): Promise<{ user?: string; session?: string }> {
  const config = getConfig();
  const store = await cookies();
  const seal = store.get(config.cookieName)?.value;
  const data = await openSession(seal, nowSeconds(), config);
  store.set(config.cookieName, "", expiredCookie(config).options);
  return { user: data?.user, session: seal ? await sessionTag(seal) : undefined };
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
  const data = (await getSession())?.data ?? blankSession(now);
  change(data);
  data.refreshedAt = now;
  if (data.user === undefined && !data.permanent && Object.keys(data.values).length === 0) {
    await writeCookie(expiredCookie(config));
  } else {
    await writeCookie(await sealSession(data, config, now));
  }
  return data;
}

/* ------------------------------------------------------------------------ */
/* Middleware                                                                */
/* ------------------------------------------------------------------------ */

/**
 * What the middleware learns from the cookie: the session (or null), and how
 * to bring the browser's cookie up to date: slide a live session forward when
 * its refresh interval has passed, expire a cookie that is dead.
 */
export type RequestSession = {
  data: SessionData | null;
  /** Why the request's cookie was refused, if it had one that was, and the cookie's tag for the log. */
  rejected?: { reason: RejectReason; session: string };
  /**
   * Completes the middleware's response: `redirect` as it is, or (without it)
   * a pass-through whose request carries the up-to-date cookie, so the page
   * sees the same session as the browser will. Adds the Set-Cookie if needed.
   */
  respond: (redirect?: NextResponse) => NextResponse;
};

export async function readRequestSession(request: NextRequest): Promise<RequestSession> {
  const config = getConfig();
  const seal = request.cookies.get(config.cookieName)?.value;
  const now = nowSeconds();
  const inspected = seal ? await inspectSession(seal, now, config) : null;
  const data = inspected?.data ?? null;
  let update: SealedCookie | null = null;
  if (inspected?.reason) {
    update = expiredCookie(config);
  } else if (data && now - data.refreshedAt >= refreshInterval(config)) {
    data.refreshedAt = now;
    update = await sealSession(data, config, now).catch(() => null); // it fitted before; keep it if not
  }
  return {
    data,
    rejected: inspected?.reason && seal ? { reason: inspected.reason, session: await sessionTag(seal) } : undefined,
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

/** The name of the session cookie, for code that must strip or inspect it (tests, tools). */
export function sessionCookieName(): string {
  return getConfig().cookieName;
}
