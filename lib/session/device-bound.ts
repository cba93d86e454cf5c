/**
 * Sessions bound to the browser's key: Device Bound Session Credentials
 * (W3C DBSC), as Chromium speaks it. docs/device-bound.md tells the story.
 *
 * 1. Sign-in offers a binding (offerBinding; lib/session/device-offer.ts
 *    hands it over). A browser with DBSC makes a key pair and POSTs its
 *    public key, signed, to /auth/dbsc/register (register below).
 * 2. The session then holds the key and a short window (`device.until`,
 *    DEVICE_BOUND_LIFETIME): the page's cookie lives that long, and pages
 *    refuse the session after it. A long-lived copy of the cookie goes to
 *    /auth/dbsc only.
 * 3. Before the window closes the browser POSTs to /auth/dbsc/refresh; we
 *    answer 403 with a challenge, it signs the challenge, and the window
 *    moves (refresh below). A copied cookie jar has no key: it is signed out
 *    when the window closes.
 *
 * Stateless with the cookie store: the key lives in the sealed cookie, and a
 * challenge is sealed too (iron-session), naming the key and the window it
 * may move. jose checks every signature; no cryptography is written here.
 */
import "server-only";
import { sealData, unsealData } from "iron-session";
import {
  calculateJwkThumbprint,
  compactVerify,
  decodeProtectedHeader,
  EmbeddedJWK,
  importJWK,
  type ProtectedHeaderParameters,
} from "jose";
import { cookies } from "next/headers";
import { sessionConfig } from "@/lib/config";
import { DEVICE_PATH, passwords, SessionTooLargeError, updateSession, type Device } from "@/lib/session";
import { OFFER_TTL, offerCookie } from "@/lib/session/device-offer";

const REFRESH_PATH = `${DEVICE_PATH}/refresh`;
/** How long a refresh challenge stands after it was sent. */
const CHALLENGE_TTL = 60;
/** A proof from Chromium is under 1 KB (ES256) or 2 KB (RS256). */
const MAX_PROOF = 8 * 1024;
/** A JWT's `iat`, if a client sends one (Chromium does not), may be this far from our clock. */
const MAX_SKEW = 5 * 60;
const ALGORITHM = { EC: "ES256", RSA: "RS256" } as const;

type PublicJwk = { kty: "EC"; crv: "P-256"; x: string; y: string } | { kty: "RSA"; n: string; e: string };
const isB64 = (value: unknown, min: number, max: number): value is string =>
  typeof value === "string" && value.length >= min && value.length <= max && /^[\w-]+$/.test(value);

/** The proof's key, if it is a public P-256 or RSA (2048 to 4096 bits) key: only its public members, as the session keeps it. */
function publicKey(raw: unknown): PublicJwk | null {
  const jwk = (raw ?? {}) as Record<string, unknown>;
  if (jwk.kty === "EC" && jwk.crv === "P-256" && isB64(jwk.x, 43, 43) && isB64(jwk.y, 43, 43)) {
    return { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y };
  }
  return jwk.kty === "RSA" && isB64(jwk.n, 342, 683) && isB64(jwk.e, 1, 8) ? { kty: "RSA", n: jwk.n, e: jwk.e } : null;
}

/** A refusal: the status, the reason, and the DBSC session it is about (a 403 carries a challenge to sign; any other 4xx ends the session). */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { challenge?: string; id?: string } = {},
  ) {
    super(message);
  }
  response(): Response {
    const { challenge, id } = this.extra;
    const headers = new Headers({ "cache-control": "no-store" });
    if (challenge && id) headers.set("secure-session-challenge", `"${challenge}";id="${id}"`);
    // A 4xx other than 403 ends the browser's session; the JSON says so the way the draft asks too.
    const ending = this.status !== 403 && id ? { session_identifier: id, continue: false } : {};
    return Response.json({ error: this.message, ...ending }, { status: this.status, headers });
  }
}

const now = () => Math.floor(Date.now() / 1000);
/** DEVICE_BOUND_SESSIONS and DEVICE_BOUND_LIFETIME, as lib/config hands them to the session layer. */
const settings = () => {
  const lifetime = sessionConfig().deviceLifetime;
  return { enabled: lifetime !== undefined, lifetime: lifetime ?? 0 };
};
const secrets = () => {
  const { secret, fallbackSecrets } = sessionConfig();
  return { seal: passwords([secret]), open: passwords([secret, ...fallbackSecrets]) };
};

/** The thumbprint of the session's key (RFC 7638): the DBSC session's identifier, and what the playground shows. */
export const thumbprintOf = (device: Device) => calculateJwkThumbprint(device.jwk, "sha256");

type Challenge = { p: "register"; u: string; c: number } | { p: "refresh"; s: string; n: number };

const seal = (challenge: Challenge, ttl: number) => sealData(challenge, { password: secrets().seal, ttl });

/** A challenge we sealed, still within its time, for `purpose`; null for anything else. */
async function opened<P extends Challenge["p"]>(jti: string, purpose: P) {
  const data = await unsealData<Challenge>(jti, { password: secrets().open }).catch(() => null);
  return data?.p === purpose ? (data as Extract<Challenge, { p: P }>) : null;
}

/**
 * For the login action, right after signIn: leaves the offer of a binding
 * (its challenge names this sign-in) for the middleware to hand over.
 */
export async function offerBinding(user: string, createdAt: number): Promise<void> {
  if (!settings().enabled) return;
  const challenge = await seal({ p: "register", u: user, c: createdAt }, OFFER_TTL);
  (await cookies()).set(...offerCookie(sessionConfig(), challenge));
}

/** A header's value without the quotes of a structured-field string (the draft's form; Chromium sends it bare). */
function headerValue(request: Request, name: string): string | null {
  const raw = request.headers.get(name)?.trim();
  if (!raw) return null;
  return raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
}

/** What every DBSC request must be: a POST from this site, with no body to speak of. */
function screen(request: Request) {
  const origin = request.headers.get("origin");
  const host = request.headers.get("x-forwarded-host")?.split(",")[0].trim() || request.headers.get("host");
  if (origin !== null && origin !== "null" && URL.parse(origin)?.host !== host) {
    throw new Refusal(400, "This request comes from another site.");
  }
  // A body is never read: one that says it is over 1 KB is refused, others are ignored.
  if (Number(request.headers.get("content-length") ?? 0) > 1024) {
    throw new Refusal(413, "DBSC requests carry no body.");
  }
}

/** The proof (Secure-Session-Response): a compact JWS of the right size and shape, or a 400 saying why not. */
function proofOf(request: Request): string | null {
  const jwt = headerValue(request, "secure-session-response");
  if (jwt === null) return null;
  if (jwt.length > MAX_PROOF) throw new Refusal(400, `Secure-Session-Response is over ${MAX_PROOF} bytes.`);
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(jwt)) throw new Refusal(400, "Secure-Session-Response is not a signed JWT.");
  return jwt;
}

/** The proof's header: typ dbsc+jwt, ES256 or RS256 (never none, HS256 or anything else). */
function headerOf(jwt: string): ProtectedHeaderParameters {
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw new Refusal(400, "The proof's header is not base64url JSON.");
  }
  if (header.typ !== "dbsc+jwt") throw new Refusal(400, 'The proof\'s typ is not "dbsc+jwt".');
  if (header.alg !== "ES256" && header.alg !== "RS256") {
    throw new Refusal(400, `The proof's alg ${JSON.stringify(header.alg)} is not ES256 or RS256.`);
  }
  return header;
}

/** The challenge the proof signed (`jti`), once its other claims pass: no foreign `aud`, no stale `iat`, `exp` or `nbf`. */
function challengeOf(payload: Uint8Array, request: Request): string {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new Refusal(400, "The proof's payload is not JSON.");
  }
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
    throw new Refusal(400, "The proof's payload is not a JSON object.");
  }
  const { jti, aud, iat, exp, nbf } = claims as Record<string, unknown>;
  if (typeof jti !== "string" || jti === "") throw new Refusal(400, "The proof has no jti (the challenge it signs).");
  const host = new URL(request.url).host;
  const audiences = aud === undefined ? [] : Array.isArray(aud) ? aud : [aud];
  if (audiences.some((audience) => typeof audience !== "string" || URL.parse(audience)?.host !== host)) {
    throw new Refusal(400, "The proof's aud is not this site.");
  }
  if (iat !== undefined && !(typeof iat === "number" && Math.abs(now() - iat) <= MAX_SKEW)) {
    throw new Refusal(400, "The proof's iat is stale or not a time.");
  }
  // Neither is Chromium's; a JWT that has one is held to it (RFC 7519), with the same skew.
  if (exp !== undefined && !(typeof exp === "number" && now() < exp + MAX_SKEW)) {
    throw new Refusal(400, "The proof's exp has passed or is not a time.");
  }
  if (nbf !== undefined && !(typeof nbf === "number" && nbf <= now() + MAX_SKEW)) {
    throw new Refusal(400, "The proof's nbf is still to come or is not a time.");
  }
  return jti;
}

/** Runs a DBSC endpoint: a refusal is its answer, a store that does not answer a 503 (the browser tries again later). */
async function answering(request: Request, work: () => Promise<Response>): Promise<Response> {
  try {
    screen(request);
    return await work();
  } catch (error) {
    if (error instanceof Refusal) return error.response();
    const id = headerValue(request, "sec-secure-session-id") ?? undefined;
    // The Redis store's errors by their names: a cookie-only copy has no store to import them from.
    const name = (error as Error | undefined)?.name;
    if (error instanceof SessionTooLargeError || name === "RecordTooLargeError") {
      const message = `The session with this key would not fit in a cookie: ${(error as Error).message}`;
      return new Refusal(413, message, { id }).response();
    }
    // Ended (signed out, in another tab) between reading the session and writing it back.
    if (name === "SessionEndedError") return new Refusal(401, "The session has ended.", { id }).response();
    // Bound meanwhile by another registration (a renewal's own is answered in refresh()).
    if (name === "BindingChangedError") return new Refusal(409, "This session is already bound to a key.").response();
    if (name === "StoreUnavailableError") return new Refusal(503, "The session store does not answer.").response();
    throw error;
  }
}

const TAKES = { allow: "POST, OPTIONS", "cache-control": "no-store" };
/** OPTIONS on an endpoint: what it takes (Next's own answer would list the methods below too). */
export const options = () => new Response(null, { status: 204, headers: TAKES });
/** Any other method on an endpoint: each route exports this as GET (HEAD follows), PUT, PATCH and DELETE. */
export const notAllowed = (request: Request) =>
  Response.json({ error: `This endpoint takes POST, not ${request.method}.` }, { status: 405, headers: TAKES });

/** The session's configuration for the browser: which cookie it guards, and where to refresh it. */
function instructions(id: string) {
  const { secure, cookieName } = sessionConfig();
  return {
    session_identifier: id,
    refresh_url: REFRESH_PATH,
    scope: { include_site: false, scope_specification: [{ type: "exclude", path: DEVICE_PATH }] },
    // Exactly the attributes lib/session.ts writes: Chromium compares them.
    credentials: [
      { type: "cookie", name: cookieName, attributes: `Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}` },
    ],
  };
}

/** POST /auth/dbsc/register: binds the signed-in session to the key the browser sends, signed over our offer. */
export function register(request: Request): Promise<Response> {
  return answering(request, async () => {
    if (!settings().enabled)
      throw new Refusal(404, "Device-bound sessions are turned off (DEVICE_BOUND_SESSIONS=false).");
    const jwt = proofOf(request);
    if (jwt === null) throw new Refusal(400, "Registration needs a proof (Secure-Session-Response).");
    const header = headerOf(jwt);
    const jwk = publicKey(header.jwk);
    if (!jwk || ALGORITHM[jwk.kty] !== header.alg) {
      throw new Refusal(400, "The proof's jwk is not a P-256 (ES256) or 2048- to 4096-bit RSA (RS256) public key.");
    }
    const { payload } = await compactVerify(jwt, EmbeddedJWK, { algorithms: [header.alg!] }).catch(() => {
      throw new Refusal(400, "The proof's signature does not verify with its own key.");
    });
    const offer = await opened(challengeOf(payload, request), "register");
    if (!offer) throw new Refusal(400, "The proof signs no offer of ours, or one that has expired.");
    const at = now();
    const id = await thumbprintOf({ jwk, until: at, refreshedAt: at, refreshes: 0 });
    await updateSession((data) => {
      if (data.user === undefined) throw new Refusal(401, "Nobody is signed in here.");
      if (data.user !== offer.u || data.createdAt !== offer.c)
        throw new Refusal(400, "The offer was for another sign-in.");
      if (data.device) throw new Refusal(409, "This session is already bound to a key.");
      data.device = { jwk, until: at + settings().lifetime, refreshedAt: at, refreshes: 0 };
    });
    (await cookies()).set(...offerCookie(sessionConfig()));
    return Response.json(instructions(id), { headers: { "cache-control": "no-store" } });
  });
}

/**
 * POST /auth/dbsc/refresh: from the long-lived cookie, a 403 with a challenge;
 * then, given the challenge signed with the session's key, a new window.
 * With DEVICE_BOUND_SESSIONS=false, the proven session is unbound instead,
 * and the browser told to stop: turning the feature off signs nobody out.
 */
export function refresh(request: Request): Promise<Response> {
  return answering(request, async () => {
    const id = headerValue(request, "sec-secure-session-id");
    if (id === null || !/^[\w-]{43}$/.test(id)) {
      throw new Refusal(400, "Sec-Secure-Session-Id is missing or is not one of this site's session identifiers.");
    }
    const jwt = proofOf(request);
    const { enabled, lifetime } = settings();
    let renewals = 0;
    await updateSession(
      async (data) => {
        if (!data.user || !data.device) throw new Refusal(401, "No bound session here: signed out, or ended.", { id });
        const { device } = data;
        renewals = device.refreshes;
        if ((await thumbprintOf(device)) !== id)
          throw new Refusal(401, "This session is bound to another key.", { id });
        // A challenge names the refresh it is for: once the window has moved, it is spent.
        const challenge = async () => seal({ p: "refresh", s: id, n: device.refreshes }, CHALLENGE_TTL);
        if (jwt === null) throw new Refusal(403, "Sign this challenge.", { challenge: await challenge(), id });
        const header = headerOf(jwt);
        if (header.jwk !== undefined) throw new Refusal(400, "A refresh proof carries no key: the session has one.");
        const jwk = publicKey(device.jwk);
        if (!jwk) throw new Refusal(401, "This session's key is not one this server accepts.", { id });
        const alg = ALGORITHM[jwk.kty];
        const key = await importJWK(jwk, alg);
        const { payload } = await compactVerify(jwt, key, { algorithms: [alg] }).catch(() => {
          throw new Refusal(401, "The proof is not signed with this session's key.", { id });
        });
        const signed = await opened(challengeOf(payload, request), "refresh");
        // Used (the window moved since), expired, or another session's: a fresh one, as Chromium re-sends its last proof.
        if (signed?.s !== id || signed.n !== device.refreshes) {
          throw new Refusal(403, "That challenge is spent or expired: sign this one.", {
            challenge: await challenge(),
            id,
          });
        }
        const at = now();
        if (enabled)
          data.device = { ...device, until: at + lifetime, refreshedAt: at, refreshes: device.refreshes + 1 };
        else delete data.device;
      },
      { device: true },
    ).catch(async (error: unknown) => {
      // The Redis store, by name: another renewal with the same challenge came first, so it is spent.
      if ((error as Error | undefined)?.name !== "BindingChangedError") throw error;
      const challenge = await seal({ p: "refresh", s: id, n: renewals + 1 }, CHALLENGE_TTL);
      throw new Refusal(403, "That challenge is spent or expired: sign this one.", { challenge, id });
    });
    const headers = { "cache-control": "no-store" };
    if (enabled) return new Response(null, { status: 200, headers });
    // Unbound: its cookie is an ordinary one again (updateSession expired the long-lived copy).
    return Response.json({ session_identifier: id, continue: false }, { headers });
  });
}
