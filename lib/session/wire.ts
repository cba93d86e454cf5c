/**
 * What lib/session.ts seals into the cookie: the session under short keys, as
 * the cookie travels with every request, and read back field by field, so that
 * a payload of any other shape is no session. The Redis store keeps a bound
 * session's device in the same form.
 */
import type { Device, SessionData } from "./types";

type Wire = { u?: string; p?: 1; v?: Record<string, string>; c: number; r: number; t?: number; d?: WireDevice };
type WireDevice = { k: Record<string, string>; u: number; r: number; n: number };
export const toWireDevice = (d: Device): WireDevice => ({ k: d.jwk, u: d.until, r: d.refreshedAt, n: d.refreshes });

export function toWire(data: SessionData): Wire {
  const { user: u, permanent, values, createdAt: c, refreshedAt: r, authenticatedAt: t, device } = data;
  const d = device && toWireDevice(device);
  return { u, ...(permanent ? { p: 1 } : {}), ...(Object.keys(values).length ? { v: values } : {}), c, r, t, d };
}

export const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;
const isObject = (value: unknown): value is object =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A bound session's device (the cookie's `d`, a store record's): null if it is not one. */
export function parseDevice(raw: unknown): Device | null {
  const { k, u, r, n } = (raw ?? {}) as Partial<Record<keyof WireDevice, unknown>>;
  if (!isObject(k) || Object.values(k).some((value) => typeof value !== "string")) return null;
  const ok = isTime(u) && isTime(r) && Number.isSafeInteger(n) && (n as number) >= 0;
  return ok ? { jwk: k as Record<string, string>, until: u, refreshedAt: r, refreshes: n as number } : null;
}

export function fromWire(raw: unknown): SessionData | null {
  const wire = (raw ?? {}) as Partial<Record<keyof Wire, unknown>>;
  if (!isTime(wire.c) || !isTime(wire.r) || (wire.t !== undefined && !isTime(wire.t))) return null;
  if (wire.u !== undefined && typeof wire.u !== "string") return null;
  if (wire.v !== undefined && !isObject(wire.v)) return null;
  const values = Object.assign(Object.create(null), wire.v) as Record<string, string>;
  if (Object.values(values).some((value) => typeof value !== "string")) return null;
  const device = wire.d === undefined ? undefined : parseDevice(wire.d);
  if (device === null) return null;
  return {
    user: wire.u,
    permanent: wire.p === 1,
    values,
    createdAt: wire.c,
    refreshedAt: wire.r,
    authenticatedAt: wire.t,
    device,
  };
}
