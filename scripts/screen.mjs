/**
 * The requests Next.js 16.4 cannot read, answered by `npm start`'s server
 * (scripts/server.mjs) before Next's handler sees them: Next answers each
 * with a 500 or worse. Each rule names what it works around, and
 * e2e/attack/next-start.spec.ts fails once plain `next start` stops doing it,
 * so that the rule can go.
 */
import METHODS from "../lib/http/allowed-methods.json" with { type: "json" };

/** The methods the app answers (its pages, as the middleware says: lib/http/request-guard.ts). */
export const ALLOWED_METHODS = METHODS.join(", ");

/** Next's limit on the router state header (parse-and-validate-flight-router-state). */
const MAX_ROUTER_STATE = 40_000;
const PARAM_TYPES = new Set([
  "c",
  "ci(..)(..)",
  "ci(.)",
  "ci(..)",
  "ci(...)",
  "oc",
  "d",
  "di(..)(..)",
  "di(.)",
  "di(..)",
  "di(...)",
]);
const isString = (value) => typeof value === "string";
const isObject = (value) => typeof value === "object" && value !== null; // an array too, as superstruct's record has it

/** A dynamic segment: [name, cache key, type, static siblings or null]. */
const segment = (value) =>
  isString(value) ||
  (Array.isArray(value) &&
    value.length === 4 &&
    isString(value[0]) &&
    isString(value[1]) &&
    PARAM_TYPES.has(value[2]) &&
    (value[3] === null || (Array.isArray(value[3]) && value[3].every(isString))));

/** The tree Next's client sends: [segment, children, url?, refresh?, flag?, key?], as Next 16.4's schema has it. */
function routerState(value, depth = 0) {
  if (!Array.isArray(value) || value.length < 2 || value.length > 6 || depth > 2_000) return false;
  const [head, children, url, refresh, flag, key] = value;
  return (
    segment(head) &&
    isObject(children) &&
    Object.values(children).every((child) => routerState(child, depth + 1)) &&
    (url === undefined || url === null || (Array.isArray(url) && url.length === 2 && url.every(isString))) &&
    (refresh === undefined ||
      refresh === null ||
      ["refetch", "inside-shared-layout", "metadata-only"].includes(refresh)) &&
    (flag === undefined || flag === null || typeof flag === "number") &&
    (key === undefined || isString(key))
  );
}

/** Whether a client navigation's router state is one Next.js can read (it throws on any other, a 500). */
export function readableRouterState(header) {
  if (header.length > MAX_ROUTER_STATE) return false;
  try {
    return routerState(JSON.parse(decodeURIComponent(header)));
  } catch {
    return false;
  }
}

/**
 * What to do with a request before Next.js sees it: `{ answer }` to answer it
 * here in plain text, `{ url }` to serve it at that origin-form target, or null.
 */
export function screen({ method = "", url = "", headers = {} }) {
  // Next.js builds a web Request for the middleware, and undici refuses TRACE (a 500). (TRACK Node refuses itself.)
  if (method === "TRACE")
    return { answer: { status: 405, message: "TRACE is not allowed here.", allow: ALLOWED_METHODS } };
  // A malformed router state with RSC: 1 (only that value makes it one): "The router state header was sent but
  // could not be parsed", a 500.
  const state = headers["next-router-state-tree"];
  if (headers.rsc === "1" && isString(state) && !readableRouterState(state)) {
    return { answer: { status: 400, message: "The router state header could not be read." } };
  }
  if (url.startsWith("/")) return null;
  // The asterisk form ("OPTIONS *", RFC 9112 3.2.4): Next.js parses it as a URL and throws ("Invalid URL", a 500).
  if (url === "*") {
    return method === "OPTIONS"
      ? { answer: { status: 204, message: "", allow: ALLOWED_METHODS } }
      : { answer: { status: 400, message: "The request target * goes with OPTIONS only." } };
  }
  // The absolute form ("GET http://host/path"), for proxies: Next.js answers 308 to the host it names, an
  // open redirect. This server serves its own host only.
  try {
    const target = new URL(url);
    const host = headers.host?.toLowerCase();
    if (/^https?:$/.test(target.protocol) && target.host.toLowerCase() === host)
      return { url: target.pathname + target.search };
  } catch {
    // not a URL at all: refused below
  }
  return { answer: { status: 400, message: "This server takes only request targets that start with /." } };
}
