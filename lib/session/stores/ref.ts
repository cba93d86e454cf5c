/**
 * What a cookie's payload stands for, checked without any I/O (the
 * middleware uses this too): in the cookie store the session itself, in a
 * server-side store a random id.
 */
import type { StoreConfig } from "../types";
import { fromWire } from "../wire";
import type { Ref } from "./types";

/** 32 random bytes, base64url: the id of a server-side session, a bearer secret. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** The reference in an unsealed payload, or null when the payload is not one this store wrote. */
export function parseRef(store: StoreConfig, payload: unknown): Ref | null {
  if (store.kind === "cookie") {
    const data = fromWire(payload);
    return data ? { data } : null;
  }
  const id = (payload as { i?: unknown } | null)?.i;
  return typeof id === "string" && SESSION_ID.test(id) ? { id } : null;
}
