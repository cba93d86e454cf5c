/**
 * Sessions for a Next.js App Router app: the session sealed into an encrypted
 * cookie by iron-session, or in a store (lib/session/redis/) with only its
 * random id in the cookie. Expiry is the server's, to the second: idle (slid forward
 * while in use) and absolute. Pages and actions call getSession, signIn,
 * updateSession and destroySession; middleware.ts calls readRequestSession.
 * A session bound to the browser's key (DBSC, lib/session/device-bound.ts)
 * is accepted until its `device.until`, which only a signed refresh moves.
 * sealData/unsealData, not getIronSession: that seals with the highest password
 * id, and secrets rotate in any order here. Beside it: its types
 * (lib/session/types.ts) and what the cookie holds (lib/session/wire.ts).
 */
import "server-only";
import { createHash } from "node:crypto";
import { sealData, unsealData, type UnsealErrorReason } from "iron-session";
import { cookies, headers } from "next/headers";
import { connection, type NextRequest, type NextResponse } from "next/server";
import { sessionConfig } from "@/lib/config";
import type { Session, SessionConfig, SessionData } from "./session/types";
import { fromWire, isTime, toWire } from "./session/wire";

export type { Device, Session, SessionConfig, SessionData, SessionStore } from "./session/types";

/** The session would not fit in a cookie (browsers drop one over 4096 bytes); nothing was written. */
export class SessionTooLargeError extends Error {
  readonly limit = 4096;
  constructor(readonly bytes: number) {
    super(`The session would need a cookie of ${bytes} bytes with its attributes; browsers keep at most 4096.`);
    this.name = "SessionTooLargeError";
  }
}

/** Why a cookie was not a live session (its visitor is then anonymous). */
type RejectReason = UnsealErrorReason | "malformed" | "idle-expired" | "absolute-expired" | "device-expired";

type Cookie = {
  name: string;
  value: string;
  options: { httpOnly: true; secure: boolean; sameSite: "lax"; path: string; maxAge?: number; expires?: Date };
};

/** A bound session's long-lived cookie goes to this path only (the refresh endpoint): pages get the short-lived one. */
export const DEVICE_PATH = "/auth/dbsc";
/** Its name: the session cookie's, `-device` added (`__Secure-`, as `__Host-` needs Path=/). */
export const deviceCookieName = (config: { cookieName: string }) =>
  `${config.cookieName.replace(/^__Host-/, "__Secure-")}-device`;

const now = () => Math.floor(Date.now() / 1000);
const hash = (text: string) => createHash("sha256").update(text).digest("hex");

/** A short hash of a cookie, to follow a session through a log without being able to replay it. */
const cookieTag = (value: string) => hash(value).slice(0, 12);

/** Each secret's password id comes from its own hash: a cookie names the secret that sealed it, whatever the order. */
const passwordId = (secret: string) => String(Number.parseInt(hash(secret).slice(0, 6), 16) + 1);
export const passwords = (secrets: readonly string[]) =>
  Object.fromEntries(secrets.map((secret) => [passwordId(secret), secret])) as Record<string, string>;

/** What a cookie stands for: the session itself, or its id in the store (and a bound session's window), or why neither. */
type Opened = { data?: SessionData; id?: string; until?: number; reason?: RejectReason };

/** Seals already opened, so that each cookie is unsealed once per process (expiry is checked on every read). */
const opened = new Map<string, unknown>();

/** A store's id: 256 random bits, unguessable; the record decides the rest. */
const storeId = (id: unknown): Opened =>
  typeof id === "string" && /^[\w-]{43}$/.test(id) ? { id } : { reason: "malformed" };

async function open(seal: string, config: SessionConfig): Promise<Opened> {
  if (config.store && !seal.startsWith("Fe26.2*")) return storeId(seal); // the cookie is the id itself
  // iron-session writes "~2" after every seal and ignores what follows the "~" (it is outside the MAC).
  if (!/^[^~]+~2$/.test(seal)) return { reason: "malformed" };
  const all = passwords([config.secret, ...config.fallbackSecrets]);
  let payload = all[seal.split("*")[1]] ? opened.get(seal) : undefined;
  if (payload === undefined) {
    let refused: RejectReason | undefined;
    payload = await unsealData(seal, { password: all, onUnsealError: (reason) => (refused = reason) });
    if (refused) return { reason: refused };
    if (opened.size >= 10_000) opened.delete(opened.keys().next().value!);
    opened.set(seal, payload);
  }
  if (config.store) {
    // A sealed id: a bound session's page cookie (with its window), `sealedIds`, or an earlier release.
    const { i, u } = payload as { i?: unknown; u?: unknown };
    return { ...storeId(i), until: isTime(u) ? u : undefined };
  }
  const data = fromWire(payload);
  return data ? { data, until: data.device?.until } : { reason: "malformed" };
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

/** A bound session opens pages only through its short-lived cookie, within the window that cookie carries. */
const outOfWindow = (data: SessionData, { until }: Opened, at: number) => !!data.device && !(at < (until ?? 0));

/** A session in use is written again every tenth of its lifetime (at most 5 minutes), not on every request. */
const refreshDue = (data: SessionData, at: number, config: SessionConfig) =>
  at - data.refreshedAt >= Math.max(1, Math.min(300, Math.floor(config.lifetime / 10)));

/**
 * A cookie; one with the same attributes and Max-Age=0 expires it (a `__Host-` cookie needs both).
 * Also Expires=1970, as Next's own delete() writes: after a server action Next 16.4 sends the
 * middleware's cookies again, parsed anew, and its parser drops a Max-Age of 0, which would leave an
 * empty cookie behind (e2e/site/expiring-cookies.spec.ts).
 */
function cookie(name: string, value: string, config: SessionConfig, maxAge?: number, path = "/"): Cookie {
  const options: Cookie["options"] = { httpOnly: true, secure: config.secure, sameSite: "lax", path };
  if (maxAge !== undefined) options.maxAge = maxAge;
  if (maxAge === 0) options.expires = new Date(0);
  // The Set-Cookie line as sent, to hold it to 4 KB: Next writes an Expires (as long as this one) beside a Max-Age.
  const attributes = `; Path=${path}; HttpOnly; SameSite=Lax${config.secure ? "; Secure" : ""}${maxAge !== undefined ? `; Max-Age=${maxAge}; Expires=Thu, 01 Jan 1970 00:00:00 GMT` : ""}`;
  const bytes = Buffer.byteLength(`${name}=${value}${attributes}`);
  if (bytes > 4096) throw new SessionTooLargeError(bytes);
  return { name, value, options };
}

/** Expires the session's cookies: the page's, and a bound session's long-lived one. */
const expiring = (config: SessionConfig) => [
  cookie(config.cookieName, "", config, 0),
  cookie(deviceCookieName(config), "", config, 0, DEVICE_PATH),
];

/**
 * Seals a session into its cookie. In the cookie store the seal carries no
 * expiration of its own (the timestamps inside it decide); with a store the
 * record is written first, and the cookie holds its id.
 */
async function persist(
  data: SessionData,
  config: SessionConfig,
  previous?: Session & { before: SessionData; window?: number },
): Promise<Cookie[]> {
  const at = now();
  const { store } = config;
  const password = passwords([config.secret]);
  let value: string;
  let id: string | undefined;
  let lifetime = Math.max(1, expiresAt(data, config) - at); // 0 would make Redis delete the record at once
  if (!store) {
    value = await sealData(toWire(data), { password, ttl: 0 });
  } else {
    id = previous?.id ?? (await store.create(data, lifetime, await headers()));
    // Ended meanwhile by another change that left it empty: no cookie either.
    if (previous?.id && !(await store.update(previous.id, previous.before, data, lifetime))) return expiring(config);
    lifetime = Math.max(1, data.createdAt + maxAge(data, config) - at);
    value = config.sealedIds ? await sealData({ i: id }, { password, ttl: lifetime }) : id;
  }
  const kept = data.permanent ? lifetime : undefined;
  if (!data.device) return [cookie(config.cookieName, value, config, kept)];
  // Bound: the page's cookie lasts until the browser must prove its key again (with a store, it is the id sealed
  // with that window: the id alone opens no page); the long-lived one goes to the refresh only.
  // Never past the window of the cookie it replaces: with a store the record's moves on (only a renewal may take it).
  const until = Math.min(data.device.until, previous?.window ?? Infinity);
  const window = Math.max(1, Math.min(until - at, lifetime));
  const page = id ? await sealData({ i: id, u: until }, { password, ttl: window }) : value;
  return [
    cookie(config.cookieName, page, config, window),
    cookie(deviceCookieName(config), value, config, kept, DEVICE_PATH),
  ];
}

/** The live session a cookie stands for (and the stored data, to tell what a change changed), or null. */
async function find(seal: string, config: SessionConfig, device: boolean) {
  const opened = await open(seal, config);
  const { data: inCookie, id } = opened;
  const data = inCookie ?? (id ? await config.store!.load(id) : null);
  if (!data || expired(data, now(), config) || (!device && outOfWindow(data, opened, now()))) return null;
  const copy = { ...data, values: Object.assign(Object.create(null), data.values) };
  return {
    session: {
      data: copy,
      expiresAt: expiresAt(data, config),
      cookieBytes: Buffer.byteLength(`${config.cookieName}=${seal}`),
      id,
    } as Session,
    before: data,
    window: opened.until,
  };
}

/** The request's session: from the page's cookie, or (`device`) a bound session's long-lived one, at its refresh. */
async function request(device = false) {
  await connection(); // a session is valid or not at a time: never read while prerendering (Cache Components)
  const jar = await cookies();
  const config: SessionConfig = sessionConfig();
  const seal = jar.get(device ? deviceCookieName(config) : config.cookieName)?.value;
  const current = seal ? await find(seal, config, device) : null;
  const write = (next: Cookie[]) => next.forEach(({ name, value, options }) => jar.set(name, value, options));
  return { config, seal, current, write, expire: () => write(expiring(config)) };
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
export async function signIn(user: string, remember: boolean): Promise<{ tag: string; createdAt: number }> {
  const { config, current, write, expire } = await request();
  const at = now();
  const values = current?.session.data.values ?? Object.create(null);
  const next = await persist({ user, permanent: remember, values, createdAt: at, refreshedAt: at }, config);
  if (current?.session.id) await config.store!.destroy(current.session.id, current.session.data.user);
  expire(); // a bound session's long-lived cookie too
  write(next);
  return { tag: cookieTag(next[0].value), createdAt: at };
}

/**
 * Changes the session (or a new one) and writes it back; a session left with
 * nothing in it loses its cookie. Returns what `change` returned; if `change`
 * throws, nothing is written. Throws SessionTooLargeError, writing nothing,
 * when it would not fit. `device`: the bound session's refresh reads its long-lived cookie.
 */
export async function updateSession<T>(
  change: (data: SessionData) => T | Promise<T>,
  { device = false } = {},
): Promise<T> {
  const { config, current, write, expire } = await request(device);
  const at = now();
  const data: SessionData = current?.session.data ?? {
    permanent: false,
    values: Object.create(null),
    createdAt: at,
    refreshedAt: at,
  };
  const result = await change(data);
  data.refreshedAt = at;
  if (data.user === undefined && !data.permanent && Object.keys(data.values).length === 0) {
    // Left with nothing: no cookie. With a store, unless a change made meanwhile put something in it.
    const { id } = current?.session ?? {};
    const live = id
      ? await config.store!.update(id, current!.before, data, Math.max(1, expiresAt(data, config) - at))
      : false;
    if (!live) expire();
  } else {
    // The renewal (`device`) moves a bound session's window; any other write keeps the one its cookie had.
    const window = device ? undefined : current?.window;
    const previous = current && { ...current.session, before: current.before, window };
    write(await persist(data, config, previous ?? undefined));
    if (device && !data.device) write([expiring(config)[1]]); // unbound at its renewal: the long-lived copy goes
  }
  return result;
}

/** Ends the session (sign-out): the stored record is deleted and the cookie expired. Says who it was, for a log. */
export async function destroySession(): Promise<{ user?: string; tag?: string }> {
  const { config, seal, current, expire } = await request();
  if (current?.session.id) await config.store!.destroy(current.session.id, current.session.data.user);
  expire(); // a bound session's long-lived cookie too
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
  const late = opened?.until !== undefined && at >= opened.until; // with a store, only a sealed id carries a window
  const reason =
    opened?.reason ?? (opened?.data ? expired(opened.data, at, config) : null) ?? (late ? "device-expired" : null);
  let next: Cookie[] | null = reason ? [cookie(config.cookieName, "", config, 0)] : null;
  // A bound session slides at its renewals: a write here could cross one and put back the old window.
  if (!reason && opened?.data && !opened.data.device && refreshDue(opened.data, at, config)) {
    next = await persist({ ...opened.data, refreshedAt: at }, config).catch(() => null); // it fitted before; keep it if not
  }
  return {
    /** A live session with a user (cookie store), or a genuine cookie that only the store can judge. */
    maybeSignedIn: !!opened && !reason && (opened.id !== undefined || opened.data?.user !== undefined),
    rejected: reason && seal ? { reason, tag: cookieTag(seal) } : undefined,
    update<R extends NextResponse>(response: R): R {
      next?.forEach(({ name, value, options }) => response.cookies.set(name, value, options));
      return response;
    },
  };
}
