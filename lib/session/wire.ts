/**
 * The JSON of a session: SessionData with one-letter keys, because in the
 * cookie store every byte travels with every request. The Redis store keeps
 * the same form in its records. Kept apart from SessionData so that the
 * public type stays readable.
 */
import { emptyValues } from "./policy";
import type { SessionData } from "./types";

export type Wire = { u?: string; p?: 1; v?: Record<string, string>; c: number; r: number; t?: number };

export function toWire(data: SessionData): Wire {
  const wire: Wire = { c: data.createdAt, r: data.refreshedAt };
  if (data.user !== undefined) wire.u = data.user;
  if (data.permanent) wire.p = 1;
  if (Object.keys(data.values).length > 0) wire.v = data.values;
  if (data.authenticatedAt !== undefined) wire.t = data.authenticatedAt;
  return wire;
}

const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

/** Validates session JSON: what we wrote is well-formed, anything else is refused (null). */
export function fromWire(raw: unknown): SessionData | null {
  if (typeof raw !== "object" || raw === null) return null;
  const wire = raw as Partial<Record<keyof Wire, unknown>>;
  if (!isTime(wire.c) || !isTime(wire.r)) return null;
  if (wire.u !== undefined && typeof wire.u !== "string") return null;
  if (wire.t !== undefined && !isTime(wire.t)) return null;
  const values = emptyValues();
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
    ...(wire.t !== undefined ? { authenticatedAt: wire.t } : {}),
  };
}
