/**
 * The session: the only module that knows about the cookie's format (iron-session's
 * Fe26.2 seal), its name and attributes, and what a session holds.
 *
 * The Flask tutorial's `session` dict, made safe:
 * - the cookie is encrypted and authenticated (iron-session's Fe26.2 seal,
 *   made and opened here synchronously with node:crypto), so nobody can read
 *   or forge it;
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
import type { UnsealErrorReason } from "iron-session";
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
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
/* Fe26.2, synchronously                                                     */
/* ------------------------------------------------------------------------ */

/** Secrets by key id, as iron-session takes them: the highest numeric id seals, any of them opens. */
export type Passwords = Record<string, string>;

/**
 * iron-session 9's cookie format (Fe26.2, from iron-webcrypto 2), written and
 * read with node:crypto, synchronously: iron-webcrypto's WebCrypto path costs
 * seven awaited crypto.subtle calls per cookie. Byte for byte what
 * iron-session's sealData writes, and every check its unsealData makes, in
 * the same order and with the same outcome (lib/session-fe26.test.ts holds
 * the two side by side):
 *
 *   Fe26.2*<id>*<encryption salt>*<iv>*<ciphertext>*<expiration>*<hmac salt>*<hmac>~2
 *
 * - salts: 32 random bytes as 64 hex digits, used as text;
 * - keys: PBKDF2-HMAC-SHA1 of the secret with a salt, 1 iteration, 32 bytes;
 *   secrets shorter than 32 characters are refused;
 * - the JSON is encrypted with AES-256-CBC (PKCS#7) under a random 16-byte iv;
 * - expiration: epoch milliseconds, empty for none; refused 60 s after it;
 * - the hmac is HMAC-SHA256 of everything before the hmac salt;
 * - binary parts are base64url without padding;
 * - `~2` is iron-session's version marker, outside the hmac: everything from
 *   the first `~` is ignored when opening.
 */
const FE26_PREFIX = "Fe26.2";
const FE26_VERSION = "~2";
const FE26_SKEW_MS = 60_000;
const FE26_MIN_SECRET_LENGTH = 32;

export type Fe26Opened = { payload: unknown; reason?: undefined } | { reason: UnsealErrorReason; payload?: undefined };

function fe26Key(secret: string, salt: string): Buffer {
  if (secret.length < FE26_MIN_SECRET_LENGTH) {
    throw new Error(`Password string too short (min ${FE26_MIN_SECRET_LENGTH} characters required)`);
  }
  return pbkdf2Sync(secret, salt, 1, 32, "sha1");
}

/** iron-webcrypto's check before JSON.stringify: plain objects, arrays, strings, finite numbers, booleans, null. */
function isPlainJson(value: unknown): boolean {
  const seen = new WeakSet<object>();
  const pending: object[] = [];
  const check = (item: unknown): boolean => {
    if (item === null || typeof item === "string" || typeof item === "boolean") return true;
    if (typeof item === "number") return Number.isFinite(item);
    if (typeof item !== "object") return false;
    if (!seen.has(item)) {
      seen.add(item);
      pending.push(item);
    }
    return true;
  };
  if (!check(value)) return false;
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (Array.isArray(item)) {
      for (let index = 0; index < item.length; index++) if (!check(item[index])) return false; // holes too
      continue;
    }
    const prototype = Reflect.getPrototypeOf(item);
    if (prototype !== null && prototype !== Object.prototype) return false;
    for (const key of Reflect.ownKeys(item)) {
      if (typeof key !== "string" || Reflect.getOwnPropertyDescriptor(item, key)?.enumerable === false) return false;
      const field = (item as Record<string, unknown>)[key];
      if (field !== undefined && !check(field)) return false;
    }
  }
  return true;
}

/**
 * Decodes base64url as iron-webcrypto does on Node 20 (atob, after mapping
 * the alphabet and padding), which refuses characters Buffer would skip.
 * Throws on what atob refuses.
 */
function fromBase64Url(text: string): Buffer {
  if (/^[\w-]*$/.test(text) && text.length % 4 !== 1) return Buffer.from(text, "base64url");
  const base64 = text.replaceAll("-", "+").replaceAll("_", "/");
  return Buffer.from(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4)), "latin1");
}

const utf8 = new TextDecoder(); // as iron-webcrypto decodes: invalid bytes replaced, a leading BOM dropped

/**
 * iron-session's `sealData(payload, { password: passwords, ttl: ttlSeconds })`,
 * synchronously: sealed with the highest numeric id's secret; `ttlSeconds`
 * 0 makes a seal that never expires. `now` (epoch ms) is for tests.
 * Throws, as iron-session does, for a short or missing secret and for data
 * that is not plain JSON.
 */
export function sealFe26(payload: unknown, passwords: Passwords, ttlSeconds: number, now: number = Date.now()): string {
  const id = Math.max(...Object.keys(passwords).map(Number));
  const secret = passwords[id];
  if (secret === undefined) throw new Error("Fe26: the password map has no entry keyed by a number.");
  if (!secret) throw new Error("Empty password");
  const passwordId = String(id);
  if (!/^\w+$/.test(passwordId)) throw new Error("Invalid password id");
  const data = payload !== null && typeof payload === "object" ? { ...payload } : payload; // as sealData does
  const json = isPlainJson(data) ? jsonOrUndefined(data) : undefined;
  if (!json) throw new Error("Fe26: the session data is not JSON serializable (plain JSON values only).");
  const random = randomBytes(80);
  const encryptionSalt = random.toString("hex", 0, 32);
  const iv = random.subarray(32, 48);
  const cipher = createCipheriv("aes-256-cbc", fe26Key(secret, encryptionSalt), iv);
  const encrypted = Buffer.concat([cipher.update(json, "utf8"), cipher.final()]);
  const ttl = ttlSeconds * 1000;
  const expiration = ttl ? now + ttl : "";
  const base = `${FE26_PREFIX}*${passwordId}*${encryptionSalt}*${iv.toString("base64url")}*${encrypted.toString("base64url")}*${expiration}`;
  const hmacSalt = random.toString("hex", 48, 80);
  const hmac = createHmac("sha256", fe26Key(secret, hmacSalt)).update(base).digest("base64url");
  return `${base}*${hmacSalt}*${hmac}${FE26_VERSION}`;
}

function jsonOrUndefined(data: unknown): string | undefined {
  try {
    return JSON.stringify(data);
  } catch {
    return undefined; // a cycle
  }
}

/**
 * iron-session's `unsealData(seal, { password: passwords, onUnsealError })`,
 * synchronously: the payload (`{}` for a sealed null), or why the seal was
 * refused, with iron-session's reasons. `now` (epoch ms) is for tests.
 */
export function unsealFe26(seal: string, passwords: Passwords, now: number = Date.now()): Fe26Opened {
  const invalid = { reason: "invalid" } as const;
  const marker = seal.indexOf("~");
  const sealed = marker === -1 ? seal : seal.slice(0, marker);
  const parts = sealed.split("*");
  if (parts.length !== 8) return invalid;
  const [prefix, passwordId, encryptionSalt, iv, encrypted, expiration, hmacSalt, hmac] = parts;
  if (prefix !== FE26_PREFIX) return invalid;
  // As iron-webcrypto does, before the hmac: an expired seal is "expired" whatever else is wrong with it.
  if (expiration) {
    if (!/^[1-9]\d*$/.test(expiration)) return invalid;
    if (Number.parseInt(expiration, 10) <= now - FE26_SKEW_MS) return { reason: "expired" };
  }
  // A plain lookup, as iron-webcrypto's: "constructor" finds a function, which is "invalid".
  const secret: unknown = passwords[passwordId || "default"];
  if (!secret) return { reason: "unknown-password" };
  // iron-webcrypto makes up a random salt for an empty one, which can then never match.
  if (typeof secret !== "string" || !hmacSalt || !encryptionSalt) return invalid;
  try {
    const base = sealed.slice(0, sealed.length - hmacSalt.length - hmac.length - 2);
    const expected = createHmac("sha256", fe26Key(secret, hmacSalt)).update(base).digest();
    const given = fromBase64Url(hmac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
    const decipher = createDecipheriv("aes-256-cbc", fe26Key(secret, encryptionSalt), fromBase64Url(iv));
    const plain = Buffer.concat([decipher.update(fromBase64Url(encrypted)), decipher.final()]);
    return { payload: JSON.parse(utf8.decode(plain)) ?? {} };
  } catch {
    return invalid; // a short secret, bad base64, a bad iv or padding, or not JSON
  }
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                      */
/* ------------------------------------------------------------------------ */

type Keyring = { seal: Passwords; open: Passwords; fingerprint: string };

/**
 * Each secret gets an id derived from its own SHA-256, so a seal names the
 * secret that made it and opens whatever the order of SESSION_SECRET and
 * SESSION_SECRET_FALLBACKS (iron-session would otherwise number them by
 * position, and a rotation would shift every number). 24 bits keep the
 * cookie short; a collision between two configured secrets is reported.
 */
function secretId(secret: string): string {
  const digest = createHash("sha256").update(secret, "utf8").digest();
  return String(((digest[0] << 16) | (digest[1] << 8) | digest[2]) + 1);
}

const keyrings = new WeakMap<Config, Keyring>();

function keyring(config: Config): Keyring {
  let ring = keyrings.get(config);
  if (!ring) {
    const all = [config.secret, ...config.fallbackSecrets];
    const ids = all.map(secretId);
    const open: Passwords = {};
    ids.forEach((id, index) => {
      if (open[id] !== undefined) {
        throw new Error("Two session secrets share a key id; replace one of them with a newly generated secret.");
      }
      open[id] = all[index];
    });
    ring = { seal: { [ids[0]]: config.secret }, open, fingerprint: ids.join(",") };
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

/** Unseals a cookie and checks its payload's shape; no I/O, synchronous. */
function openSeal(seal: string, config: Config, store: SessionStore): Ref | RejectReason {
  const keys = keyring(config);
  const cached = openedSeals.get(seal);
  if (cached && cached.fingerprint === keys.fingerprint) return cached.ref;
  const opened = unsealFe26(seal, keys.open);
  if (opened.reason) return opened.reason;
  const ref = store.parse(opened.payload);
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
  const ref = openSeal(seal, config, store);
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
 * `sealExpires`: the seal itself expires then too (Fe26.2's own check, with
 * its 60 s of skew on top of ours).
 */
function sealPayload(
  payload: object,
  permanent: boolean,
  lifetime: number,
  config: Config,
  cacheAs: Ref,
  sealExpires: boolean,
): SealedCookie {
  const keys = keyring(config);
  const value = sealFe26(payload, keys.seal, sealExpires ? Math.max(1, lifetime) : 0);
  const options = cookieOptions(config, permanent ? Math.max(1, lifetime) : undefined);
  const bytes = setCookieBytes(config.cookieName, value, options);
  if (bytes > MAX_COOKIE_BYTES) throw new SessionTooLargeError(bytes);
  remember(value, { ref: cacheAs, fingerprint: keys.fingerprint });
  return { value, options };
}

/**
 * Seals a session kept in the cookie itself: the cookie lives until the
 * session would expire. The seal carries no expiration of its own (Fe26.2's
 * is optional): the session's own timestamps inside it, which the seal
 * authenticates, decide to the second (expiryReason), and the 13 digits of a
 * millisecond expiration would only repeat them on every request; without
 * them a signed-in cookie stays under 300 bytes. (The cookie store's
 * payload; exported for tests and tools.)
 */
export async function sealSession(data: SessionData, config: Config, now: number): Promise<SealedCookie> {
  const { payload } = await cookieStore.save(data, { ttl: 0 });
  return sealPayload(payload, data.permanent, expiresAt(data, config) - now, config, { data }, false);
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
  // An id carries no timestamps: here the seal's own expiration bounds the cookie (the absolute lifetime).
  const lifetime = data.createdAt + config.absoluteLifetime - now;
  return sealPayload(saved.payload, data.permanent, lifetime, config, { id: saved.id! }, true);
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
    const ref = openSeal(seal, config, store);
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
