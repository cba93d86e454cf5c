/**
 * The middleware's screening of what Next.js can read but then answers
 * with a 500 (Next.js 16.4): each rule names the behaviour it works around,
 * so that it can go when Next.js handles the case itself. (Requests Next.js
 * cannot read at all are answered earlier by `npm start`'s server, scripts/screen.mjs.)
 */
import type { NextRequest } from "next/server";
import type { Refusal } from "./error-pages";
import { logRefusal } from "../log.mjs";
import ALLOWED_METHODS from "./allowed-methods.json";

/** Next's default `serverActions.bodySizeLimit`. */
const ACTION_BODY_LIMIT = 1024 * 1024;

function sameOrigin(request: NextRequest): boolean {
  const origin = request.headers.get("origin");
  // Browsers send Origin with every POST; tools that omit it cannot ride a
  // victim's cookies, so Next lets them through and so do we.
  if (origin === null) return true;
  // Next compares against X-Forwarded-Host when a proxy set it, else Host.
  const host = request.headers.get("x-forwarded-host")?.split(",")[0].trim() || request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * In a reply sent as text, React marks references to other parts of a
 * multipart body with a leading "$"; text has no other parts, so such a
 * reference can only be forged, and Next's decoder throws on it. Allowed:
 * escaped strings ("$$..."), and the values React writes inline.
 */
const INLINE_VALUE = /^\$(\$|undefined$|NaN$|Infinity$|-Infinity$|-0$|D|n-?\d+$)/;

function plainReply(value: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (typeof value === "string") return !value.startsWith("$") || INLINE_VALUE.test(value);
  if (typeof value !== "object" || value === null) return true;
  return Object.values(value).every((item) => plainReply(item, depth + 1));
}

/** Whether the body is at most `limit` bytes, read from a copy and no further than the limit. */
async function bodyWithin(request: NextRequest, limit: number): Promise<boolean> {
  const reader = request.clone().body?.getReader();
  if (!reader) return true;
  for (let total = 0; ;) {
    const { done, value } = await reader.read();
    if (done) return true;
    total += value.byteLength;
    if (total > limit) {
      // Not awaited: a branch of a tee'd stream is cancelled only once the other is too.
      reader.cancel().catch(() => {});
      return false;
    }
  }
}

/**
 * Server actions are POSTs, and Next.js answers several kinds with a 500:
 * - a cross-origin one (its CSRF check throws) -> 403;
 * - a body over the action limit (it throws "Body exceeded 1 MB limit"): announced by Content-Length,
 *   or sent in chunks without one, which is counted here -> 413;
 * - a broken multipart form, or an action call whose body is not what Next's client sends (its
 *   decoders throw) -> 400.
 */
async function screenPost(request: NextRequest): Promise<Refusal | null> {
  if (!sameOrigin(request)) {
    return { status: 403, message: "crossSite" };
  }
  const length = request.headers.get("content-length");
  const announced = length === null ? 0 : Number(length);
  if (!Number.isFinite(announced) || announced > ACTION_BODY_LIMIT) {
    return { status: 413, message: "tooLargeForm" };
  }
  if (length === null && !(await bodyWithin(request, ACTION_BODY_LIMIT))) {
    return { status: 413, message: "tooLargeForm" };
  }
  const isActionCall = request.headers.has("next-action");
  const contentType = request.headers.get("content-type") ?? "";
  if (contentType.startsWith("multipart/form-data")) {
    // A form (with or without JavaScript): Next's parser throws on a broken one.
    try {
      await request.formData();
    } catch {
      return { status: 400, message: "unreadableForm" };
    }
  } else if (isActionCall) {
    // Next's client sends the arguments as a JSON array; anything else breaks its decoder.
    let args: unknown;
    try {
      args = JSON.parse(await request.text());
    } catch {
      args = null;
    }
    if (!Array.isArray(args) || !plainReply(args)) return { status: 400, message: "unreadableRequest" };
  }
  return null;
}

/**
 * A path segment Next.js cannot decode ("%", "%ZZ", "%E0%A4%A", "%C0%AF"):
 * its router throws a URIError decoding a dynamic segment, a 500. No page
 * has such a path, so it is a 404.
 */
function undecodablePath(pathname: string): boolean {
  return pathname.split("/").some((segment) => {
    try {
      decodeURIComponent(segment);
      return false;
    } catch {
      return true;
    }
  });
}

type Screening = Refusal | { status: 404 } | null;

/**
 * What the middleware must answer itself before Next.js sees the request; null to let it through.
 * Also a method pages do not take: Next.js renders the page for PUT, DELETE or PROPFIND (a 200) and
 * answers OPTIONS with an empty 400; here OPTIONS gets the methods pages take (204) and the others a 405.
 */
export async function screenRequest(request: NextRequest): Promise<Screening> {
  let screening: Screening = null;
  if (request.method === "OPTIONS") return { status: 204 };
  if (!ALLOWED_METHODS.includes(request.method)) screening = { status: 405, message: "methodNotAllowed" };
  else if (undecodablePath(request.nextUrl.pathname)) screening = { status: 404 };
  else if (request.method === "POST") screening = await screenPost(request);
  if (screening)
    logRefusal(
      `middleware:${screening.status}:${"message" in screening ? screening.message : "path"}`,
      screening.status,
    );
  return screening;
}
