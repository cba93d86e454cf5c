/**
 * A server-side session as Redis keeps it: a hash, one field per part, so
 * that a change writes only the fields it changed and two changes at once
 * both stay (a record written whole would keep only the last one):
 *
 *   c, r        createdAt, refreshedAt (epoch seconds)
 *   u, p, t     user, permanent ("1"), authenticatedAt, when there are
 *   a           the user agent (for the session list)
 *   v.<key>     each of the playground's values
 *
 * Earlier versions kept a JSON string `{"w":<wire>,"a":<user agent>}`
 * under the same key; such a record is still read (and becomes a hash on
 * its first change).
 */
import { emptyValues } from "../policy";
import type { SessionData } from "../types";
import { fromWire } from "../wire";

export type Fields = Record<string, string>;
export type StoredRecord = { data: SessionData; userAgent?: string };

const VALUE = "v.";

export function toFields(data: SessionData, userAgent?: string): Fields {
  const fields: Fields = { c: String(data.createdAt), r: String(data.refreshedAt) };
  if (data.user !== undefined) fields.u = data.user;
  if (data.permanent) fields.p = "1";
  if (data.authenticatedAt !== undefined) fields.t = String(data.authenticatedAt);
  if (userAgent) fields.a = userAgent.slice(0, 256);
  for (const [key, value] of Object.entries(data.values)) fields[VALUE + key] = value;
  return fields;
}

const time = (text: string | undefined) => (text !== undefined && /^[1-9]\d{0,15}$/.test(text) ? Number(text) : null);

/** The session in a hash's fields, or null when they are not one this store wrote. */
export function fromFields(fields: Fields): StoredRecord | null {
  const createdAt = time(fields.c);
  const refreshedAt = time(fields.r);
  if (createdAt === null || refreshedAt === null) return null;
  const authenticatedAt = fields.t === undefined ? undefined : time(fields.t);
  if (authenticatedAt === null) return null;
  const values = emptyValues();
  for (const [field, value] of Object.entries(fields)) {
    if (field.startsWith(VALUE)) values[field.slice(VALUE.length)] = value;
  }
  const data: SessionData = {
    ...(fields.u !== undefined ? { user: fields.u } : {}),
    permanent: fields.p === "1",
    values,
    createdAt,
    refreshedAt,
    ...(authenticatedAt !== undefined ? { authenticatedAt } : {}),
  };
  return { data, ...(fields.a ? { userAgent: fields.a } : {}) };
}

/** A record of an earlier version (a JSON string), or null. */
export function fromLegacy(text: string | null): StoredRecord | null {
  if (!text) return null;
  try {
    const record = JSON.parse(text) as { w?: unknown; a?: unknown };
    const data = fromWire(record.w);
    return data ? { data, ...(typeof record.a === "string" && record.a ? { userAgent: record.a } : {}) } : null;
  } catch {
    return null;
  }
}

/** What changed between two versions of a session, field by field. */
export function changedFields(before: SessionData, after: SessionData): { set: Fields; remove: string[] } {
  const old = toFields(before);
  const now = toFields(after);
  const set: Fields = {};
  for (const [field, value] of Object.entries(now)) if (old[field] !== value) set[field] = value;
  const remove = Object.keys(old).filter((field) => !(field in now) && field !== "a");
  return { set, remove };
}

/** Bytes a hash's fields take: names and values. */
export const fieldBytes = (fields: Fields) =>
  Object.entries(fields).reduce((sum, [field, value]) => sum + Buffer.byteLength(field) + Buffer.byteLength(value), 0);
