/**
 * Sessions for a Next.js App Router app: the session sealed into an encrypted
 * cookie by iron-session, or in a store (lib/session/redis/) with only its
 * random id in the cookie. Expiry is the server's, to the second: idle (slid forward
 * while in use) and absolute. Pages and actions call getSession, signIn,
 * updateSession and destroySession; middleware.ts calls readRequestSession.
 * sealData/unsealData, not getIronSession: that seals with the highest password
 * id, and secrets rotate in any order here.
 */
import "server-only";
import { createHash } from "node:crypto";
import { sealData, unsealData, type UnsealErrorReason } from "iron-session";
import { cookies, headers } from "next/headers";
import { connection, type NextRequest, type NextResponse } from "next/server";
import { sessionConfig } from "@/lib/config";

/** What a session holds. Times are epoch seconds. */
export type SessionData = {
  /** The signed-in user; absent for a visitor who has not signed in. */
  user?: string;
  /** A cookie with a Max-Age ("keep me signed in"), not one the browser drops when it closes. */
  permanent: boolean;
  /** The app's own keys and values, in an object without a prototype: any key is safe. */
  values: Record<string, string>;
  /** Sign-in (or the first value set): the absolute lifetime counts from here. */
  createdAt: number;
  /** The last refresh: the idle lifetime counts from here. */
  refreshedAt: number;
  /** When the user last gave their password again; unset, sign-in counts. */
  authenticatedAt?: number;
};

export type Session = {
  data: SessionData;
  /** When the session ends unless it is used before then. */
  expiresAt: number;
  /** The cookie's size as the browser counts it: `name=value`, in bytes. */
  cookieBytes: number;
  /** The session's id in the store, if there is one: a bearer secret, never to be shown. */
  id?: string;
};

/** Everything this file needs to know; your app builds it (see sessionConfig in @/lib/config). */
export type SessionConfig = {
  /** Seals new cookies: 32 characters or more. */
  secret: string;
  /** Old secrets that still open cookies while you rotate, in any order. */
  fallbackSecrets: readonly string[];
  /** Seconds a session may go unused; in the cookie store, also a permanent cookie's Max-Age. */
  lifetime: number;
  /** Seconds from sign-in after which a session ends, however active. */
  absoluteLifetime: number;
  cookieName: string;
  /** Secure cookies (https only): true in production. */
  secure: boolean;
  /** Where the data lives when not in the cookie; the cookie then carries only the session's id. */
  store?: SessionStore;
  /** With a store: seal the id into the cookie, as releases before 2026-12-07 did (a rolling upgrade from them). */
  sealedIds?: boolean;
  /** With a store: the longest an anonymous session lasts, however active (default an hour). */
  anonymousLifetime?: number;
};

/** A server-side store (lib/session/redis/ is one). `ttl`: seconds the record must live. */
export interface SessionStore {
  load(id: string): Promise<SessionData | null>;
  /** Stores a new session; returns its id. `request`: what the store may note (user agent, address). */
  create(data: SessionData, ttl: number, request: Headers): Promise<string>;
  /** Writes what changed from `before` to `after`, only if the session still exists. */
  update(id: string, before: SessionData, after: SessionData, ttl: number): Promise<void>;
  /** A session in use slides forward: its refreshedAt and TTL, never backwards. */
  touch(id: string, data: SessionData, ttl: number): Promise<void>;
  destroy(id: string, user?: string): Promise<void>;
}

/** The session would not fit in a cookie (browsers drop one over 4096 bytes); nothing was written. */
export class SessionTooLargeError extends Error {
  readonly limit = 4096;
  constructor(readonly bytes: number) {
    super(`The session would need a ${bytes}-byte cookie; browsers keep at most 4096.`);
    this.name = "SessionTooLargeError";
  }
}

/** Why a cookie was not a live session (its visitor is then anonymous). */
type RejectReason = UnsealErrorReason | "malformed" | "idle-expired" | "absolute-expired";

type Cookie = {
  value: string;
  options: { httpOnly: true; secure: boolean; sameSite: "lax"; path: "/"; maxAge?: number };
};

const now = () => Math.floor(Date.now() / 1000);
const hash = (text: string) => createHash("sha256").update(text).digest("hex");

/** A short hash of a cookie, to follow a session through a log without being able to replay it. */
const cookieTag = (value: string) => hash(value).slice(0, 12);

/** Each secret's password id comes from its own hash: a cookie names the secret that sealed it, whatever the order. */
const passwordId = (secret: string) => String(Number.parseInt(hash(secret).slice(0, 6), 16) + 1);
const passwords = (secrets: readonly string[]) =>
  Object.fromEntries(secrets.map((secret) => [passwordId(secret), secret])) as Record<string, string>;

/** The cookie holds short keys: it travels with every request. */
type Wire = { u?: string; p?: 1; v?: Record<string, string>; c: number; r: number; t?: number };

function toWire(data: SessionData): Wire {
  const { user: u, permanent, values, createdAt: c, refreshedAt: r, authenticatedAt: t } = data;
  return { u, ...(permanent ? { p: 1 } : {}), ...(Object.keys(values).length ? { v: values } : {}), c, r, t };
}

const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

function fromWire(raw: unknown): SessionData | null {
  const wire = (raw ?? {}) as Partial<Record<keyof Wire, unknown>>;
  if (!isTime(wire.c) || !isTime(wire.r) || (wire.t !== undefined && !isTime(wire.t))) return null;
  if (wire.u !== undefined && typeof wire.u !== "string") return null;
  if (wire.v !== undefined && (typeof wire.v !== "object" || wire.v === null || Array.isArray(wire.v))) return null;
  const values = Object.assign(Object.create(null), wire.v) as Record<string, string>;
  if (Object.values(values).some((value) => typeof value !== "string")) return null;
  return {
    user: wire.u,
    permanent: wire.p === 1,
    values,
    createdAt: wire.c,
    refreshedAt: wire.r,
    authenticatedAt: wire.t,
  };
}

/** What a cookie stands for: the session itself, its id in the store, or why it is neither. */
type Opened = { data?: SessionData; id?: string; reason?: RejectReason };

/** Seals already opened, so that each cookie is unsealed once per process (expiry is checked on every read). */
const opened = new Map<string, unknown>();

/** A store's id: 256 random bits, unguessable; the record decides the rest. */
const storeId = (id: unknown): Opened =>
  typeof id === "string" && /^[\w-]{43}$/.test(id) ? { id } : { reason: "malformed" };

async function open(seal: string, config: SessionConfig): Promise<Opened> {
  if (config.store && !seal.startsWith("Fe26.2*")) return storeId(seal); // the cookie is the id itself
  const all = passwords([config.secret, ...config.fallbackSecrets]);
  let payload = all[seal.split("*")[1]] ? opened.get(seal) : undefined;
  if (payload === undefined) {
    let refused: RejectReason | undefined;
    payload = await unsealData(seal, { password: all, onUnsealError: (reason) => (refused = reason) });
    if (refused) return { reason: refused };
    if (opened.size >= 10_000) opened.delete(opened.keys().next().value!);
    opened.set(seal, payload);
  }
  if (config.store) return storeId((payload as { i?: unknown }).i); // a sealed id: `sealedIds`, or an earlier release
  const data = fromWire(payload);
  return data ? { data } : { reason: "malformed" };
}

/** The longest the session lasts from its start: anonymous ones in a store far less. */
function maxAge(data: SessionData, config: SessionConfig) {
  const anonymous = config.store && data.user === undefined;
  return anonymous ? Math.min(config.absoluteLifetime, config.anonymousLifetime ?? 3_600) : config.absoluteLifetime;
}

const expiresAt = (data: SessionData, config: SessionConfig) =>
  Math.min(data.refreshedAt + config.lifetime, data.createdAt + maxAge(data, config));

function expired(data: SessionData, at: number, config: SessionConfig): RejectReason | null {
  if (at >= data.createdAt + maxAge(data, config)) return "absolute-expired";
  return at >= data.refreshedAt + config.lifetime ? "idle-expired" : null;
}

/** A session in use is written again every tenth of its lifetime (at most 5 minutes), not on every request. */
const refreshDue = (data: SessionData, at: number, config: SessionConfig) =>
  at - data.refreshedAt >= Math.max(1, Math.min(300, Math.floor(config.lifetime / 10)));

/** The cookie for a seal; one with the same attributes and Max-Age=0 expires it (a `__Host-` cookie needs both). */
function cookie(value: string, config: SessionConfig, maxAge?: number): Cookie {
  const options: Cookie["options"] = { httpOnly: true, secure: config.secure, sameSite: "lax", path: "/" };
  if (maxAge !== undefined) options.maxAge = maxAge;
  // The Set-Cookie line as sent, to hold it to 4 KB: Next writes an Expires (as long as this one) beside a Max-Age.
  const attributes = `; Path=/; HttpOnly; SameSite=Lax${config.secure ? "; Secure" : ""}${maxAge !== undefined ? `; Max-Age=${maxAge}; Expires=Thu, 01 Jan 1970 00:00:00 GMT` : ""}`;
  const bytes = Buffer.byteLength(`${config.cookieName}=${value}${attributes}`);
  if (bytes > 4096) throw new SessionTooLargeError(bytes);
  return { value, options };
}

/**
 * Seals a session into its cookie. In the cookie store the seal carries no
 * expiration of its own (the timestamps inside it decide); with a store the
 * record is written first, and the cookie holds its id.
 */
async function persist(data: SessionData, config: SessionConfig, previous?: Session & { before: SessionData }) {
  const at = now();
  const { store } = config;
  if (!store) {
    const value = await sealData(toWire(data), { password: passwords([config.secret]), ttl: 0 });
    return cookie(value, config, data.permanent ? Math.max(1, expiresAt(data, config) - at) : undefined);
  }
  const ttl = Math.max(1, expiresAt(data, config) - at); // 0 would make Redis delete the record at once
  const id = previous?.id ?? (await store.create(data, ttl, await headers()));
  if (previous?.id) await store.update(previous.id, previous.before, data, ttl);
  const lifetime = Math.max(1, data.createdAt + maxAge(data, config) - at);
  const value = config.sealedIds
    ? await sealData({ i: id }, { password: passwords([config.secret]), ttl: lifetime })
    : id;
  return cookie(value, config, data.permanent ? lifetime : undefined);
}

/** The live session a cookie stands for (and the stored data, to tell what a change changed), or null. */
async function find(seal: string, config: SessionConfig) {
  const { data: inCookie, id } = await open(seal, config);
  const data = inCookie ?? (id ? await config.store!.load(id) : null);
  if (!data || expired(data, now(), config)) return null;
  const copy = { ...data, values: Object.assign(Object.create(null), data.values) };
  return {
    session: {
      data: copy,
      expiresAt: expiresAt(data, config),
      cookieBytes: Buffer.byteLength(`${config.cookieName}=${seal}`),
      id,
    } as Session,
    before: data,
  };
}

async function request() {
  await connection(); // a session is valid or not at a time: never read while prerendering (Cache Components)
  const jar = await cookies();
  const config: SessionConfig = sessionConfig();
  const seal = jar.get(config.cookieName)?.value;
  const current = seal ? await find(seal, config) : null;
  const write = (next: Cookie) => jar.set(config.cookieName, next.value, next.options);
  return { config, seal, current, write, expire: () => write(cookie("", config, 0)) };
}

/**
 * The current session, or null for a visitor without one. With a store, a
 * session in use slides forward here (the cookie, only an id, stays as it is).
 */
export async function getSession(): Promise<Session | null> {
  const { config, current } = await request();
  if (!current) return null;
  const { session } = current;
  const at = now();
  if (session.id && refreshDue(session.data, at, config)) {
    session.data.refreshedAt = at;
    session.expiresAt = expiresAt(session.data, config);
    await config.store!.touch(session.id, session.data, Math.max(1, session.expiresAt - at)).catch(() => {}); // next time, then
  }
  return session;
}

/**
 * Signs `user` in with a new session (permanent when `remember`): new
 * timestamps, and with a store a new id, so that an id planted before sign-in
 * is worthless. Values set before carry over. Returns the cookie's tag for a log.
 */
export async function signIn(user: string, remember: boolean): Promise<{ tag: string }> {
  const { config, current, write } = await request();
  const at = now();
  const values = current?.session.data.values ?? Object.create(null);
  const next = await persist({ user, permanent: remember, values, createdAt: at, refreshedAt: at }, config);
  if (current?.session.id) await config.store!.destroy(current.session.id, current.session.data.user);
  write(next);
  return { tag: cookieTag(next.value) };
}

/**
 * Changes the session (or a new one) and writes it back; a session left with
 * nothing in it loses its cookie. Returns what `change` returned. Throws
 * SessionTooLargeError, writing nothing, when it would not fit.
 */
export async function updateSession<T>(change: (data: SessionData) => T): Promise<T> {
  const { config, current, write, expire } = await request();
  const at = now();
  const data: SessionData = current?.session.data ?? {
    permanent: false,
    values: Object.create(null),
    createdAt: at,
    refreshedAt: at,
  };
  const result = change(data);
  data.refreshedAt = at;
  if (data.user === undefined && !data.permanent && Object.keys(data.values).length === 0) {
    if (current?.session.id) await config.store!.destroy(current.session.id);
    expire();
  } else {
    write(await persist(data, config, current ? { ...current.session, before: current.before } : undefined));
  }
  return result;
}

/** Ends the session (sign-out): the stored record is deleted and the cookie expired. Says who it was, for a log. */
export async function destroySession(): Promise<{ user?: string; tag?: string }> {
  const { config, seal, current, expire } = await request();
  if (current?.session.id) await config.store!.destroy(current.session.id, current.session.data.user);
  expire();
  return { user: current?.session.data.user, tag: seal ? cookieTag(seal) : undefined };
}

/**
 * For middleware.ts, from the cookie alone (never the store): whether the
 * visitor may be signed in, why a cookie was refused, and `update(response)`,
 * which slides a cookie-store session in use forward and expires a dead cookie.
 */
export async function readRequestSession(request: NextRequest) {
  const config: SessionConfig = sessionConfig();
  const seal = request.cookies.get(config.cookieName)?.value;
  const opened = seal ? await open(seal, config) : null;
  const at = now();
  const reason = opened?.reason ?? (opened?.data ? expired(opened.data, at, config) : null);
  let next: Cookie | null = reason ? cookie("", config, 0) : null;
  if (!reason && opened?.data && refreshDue(opened.data, at, config)) {
    next = await persist({ ...opened.data, refreshedAt: at }, config).catch(() => null); // it fitted before; keep it if not
  }
  return {
    /** A live session with a user (cookie store), or a genuine cookie that only the store can judge. */
    maybeSignedIn: !!opened && !reason && (opened.id !== undefined || opened.data?.user !== undefined),
    rejected: reason && seal ? { reason, tag: cookieTag(seal) } : undefined,
    update<R extends NextResponse>(response: R): R {
      if (next) response.cookies.set(config.cookieName, next.value, next.options);
      return response;
    },
  };
}
