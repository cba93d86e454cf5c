/**
 * The default store: the data itself travels in the encrypted cookie.
 * Nothing is kept on the server, so nothing can be listed or revoked, and
 * two requests that change the session at once each write a whole cookie:
 * the one the browser stores last wins.
 */
import { toWire } from "../wire";
import type { SessionStore } from "./types";

export const cookieStore: SessionStore = {
  kind: "cookie",
  revocable: false,
  async load(ref) {
    return ref.data ? { data: ref.data } : null;
  },
  async create(data) {
    return { payload: toWire(data) };
  },
  async update(_ref, _before, after) {
    return { payload: toWire(after) };
  },
  async touch() {
    // The cookie is the session: the middleware seals it again as it slides (see proxy.ts).
  },
  async destroy() {
    // Nothing is kept: the cookie is the session, and expiring it ends it.
  },
  async list() {
    return [];
  },
  async destroyMany() {
    return 0;
  },
};
