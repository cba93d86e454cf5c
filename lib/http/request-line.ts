/**
 * Requests that Next.js cannot read at all, screened on Node's HTTP server
 * before it sees them (lib/http/node-hooks.ts), because Next.js 16.4 answers
 * them with a 500 or worse, and its middleware never sees them whole. Each
 * rule names the behaviour it works around, so that it can go when Next.js
 * handles the case itself.
 */
import { parseAndValidateFlightRouterState } from "next/dist/server/app-render/parse-and-validate-flight-router-state";

/** The methods the app answers; anything else gets its page's own 405 or 404 from Next.js. */
export const ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS";

export type LineDecision =
  /** Answer here, in plain text. */
  | { answer: { status: 204 | 400 | 405; message: string; allow?: string }; url?: undefined }
  /** Go on with this request target instead (absolute form made origin form). */
  | { url: string; answer?: undefined }
  | null;

/**
 * The router state a client-side navigation sends (`Next-Router-State-Tree`
 * with `RSC`): Next.js throws on a malformed or wrong-shaped one ("The router
 * state header was sent but could not be parsed", a 500 and three lines of
 * stack trace each), and strips both headers from what the middleware sees.
 * Next's own parser decides what is malformed.
 */
export function unreadableRouterState(headers: Record<string, string | string[] | undefined>): boolean {
  const tree = headers["next-router-state-tree"];
  if (tree === undefined || headers.rsc === undefined) return false;
  try {
    parseAndValidateFlightRouterState(tree);
    return false;
  } catch {
    return true;
  }
}

export function screenRequestLine(method: string, target: string, host: string | undefined): LineDecision {
  // Next.js builds a web Request for every request, and undici refuses these methods
  // ("TypeError: 'TRACE' HTTP method is unsupported", a 500). They are never the app's.
  if (method === "TRACE" || method === "TRACK") {
    return { answer: { status: 405, message: `${method} is not allowed here.`, allow: ALLOWED_METHODS } };
  }
  if (target.startsWith("/")) return null;
  // The asterisk form ("OPTIONS *", RFC 9112 3.2.4): Next.js parses it as a URL and throws ("Invalid URL", a 500).
  if (target === "*") {
    return method === "OPTIONS"
      ? { answer: { status: 204, message: "", allow: ALLOWED_METHODS } }
      : { answer: { status: 400, message: "The request target * goes with OPTIONS only." } };
  }
  // The absolute form ("GET http://host/path"), which a client sends to a proxy: Next.js answers it
  // with a 308 to the target's own host, an open redirect. This server serves only its own host.
  try {
    const url = new URL(target);
    if (/^https?:$/.test(url.protocol) && host !== undefined && url.host.toLowerCase() === host.toLowerCase()) {
      return { url: url.pathname + url.search };
    }
  } catch {
    // not a URL at all: refused below
  }
  return { answer: { status: 400, message: "This server takes only request targets that start with /." } };
}
