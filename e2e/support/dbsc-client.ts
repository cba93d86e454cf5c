/**
 * A browser's side of DBSC (device-bound sessions), step by step as the
 * draft and Chromium 156 do it: a WebCrypto key pair, the proof JWT
 * (`typ: dbsc+jwt`, the key in its header at registration only, the challenge
 * as `jti`), the real headers and our endpoints. With a cookie jar of its
 * own that keeps Path and Max-Age, as a browser does (the bound cookie's
 * expiry is the point). For the protocol tests, the split's and the bench.
 */
import { postLogin } from "./http";

const subtle = globalThis.crypto.subtle;
const b64u = (bytes: ArrayBuffer | Uint8Array | string) => Buffer.from(bytes as Uint8Array).toString("base64url");

type Stored = { value: string; path: string; expires: number };

/** Cookies as a browser keeps them: by name and path, dropped at Max-Age (read from the Set-Cookie lines). */
export class Jar {
  readonly cookies = new Map<string, Stored>();
  /** The clock the jar expires cookies by, in ms (a test may move it). */
  now = () => Date.now();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";").map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      const attribute = (key: string) =>
        attributes.find((part) => part.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const path = attribute("path") ?? "/";
      const maxAge = attribute("max-age");
      const expires = maxAge === undefined ? Infinity : this.now() + Number(maxAge) * 1000;
      if (value === "" || expires <= this.now()) this.cookies.delete(`${name};${path}`);
      else this.cookies.set(`${name};${path}`, { value, path, expires });
    }
  }

  /** The Cookie header for `path`. */
  header(path: string): string {
    return [...this.cookies.entries()]
      .filter(
        ([, { path: scope, expires }]) =>
          expires > this.now() && (scope === "/" || path === scope || path.startsWith(`${scope}/`)),
      )
      .map(([key, { value }]) => `${key.split(";")[0]}=${value}`)
      .join("; ");
  }

  get(name: string, path = "/"): string | undefined {
    const stored = this.cookies.get(`${name};${path}`);
    return stored && stored.expires > this.now() ? stored.value : undefined;
  }

  /** A copy, as an infostealer takes it: every cookie, no key. */
  copy(): Jar {
    const jar = new Jar();
    for (const [key, stored] of this.cookies) jar.cookies.set(key, { ...stored });
    jar.now = this.now;
    return jar;
  }
}

export type Algorithm = "ES256" | "RS256";

/** A key pair as Chromium makes one for a DBSC session. */
export async function deviceKey(alg: Algorithm = "ES256"): Promise<CryptoKeyPair> {
  return alg === "ES256"
    ? subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])
    : subtle.generateKey(
        { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
        true,
        ["sign", "verify"],
      );
}

/** The public key as the proof's `jwk` header carries it. */
export async function publicJwk(key: CryptoKeyPair): Promise<Record<string, string>> {
  const { kty, crv, x, y, n, e } = await subtle.exportKey("jwk", key.publicKey);
  return kty === "EC" ? { crv: crv!, kty, x: x!, y: y! } : { e: e!, kty: kty!, n: n! };
}

/** A compact JWS over any header and payload, signed with `key` (raw r||s for ES256, as JWS wants). */
export async function signJwt(key: CryptoKeyPair, header: object, payload: object | string): Promise<string> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  const input = `${b64u(JSON.stringify(header))}.${b64u(body)}`;
  const algorithm =
    key.privateKey.algorithm.name === "ECDSA" ? { name: "ECDSA", hash: "SHA-256" } : { name: "RSASSA-PKCS1-v1_5" };
  const signature = await subtle.sign(algorithm, key.privateKey, new TextEncoder().encode(input));
  return `${input}.${b64u(signature)}`;
}

/** The proof Chromium sends: registration with the key in the header, refresh without. */
export async function proof(key: CryptoKeyPair, jti: string, { register = false } = {}): Promise<string> {
  const alg = key.privateKey.algorithm.name === "ECDSA" ? "ES256" : "RS256";
  const header = register ? { alg, jwk: await publicJwk(key), typ: "dbsc+jwt" } : { alg, typ: "dbsc+jwt" };
  return signJwt(key, header, { jti });
}

/** Secure-Session-Registration's parameters (the one member we send). */
export function parseRegistration(
  header: string | null,
): { algorithms: string[]; path: string; challenge: string } | null {
  const match = header && /^\(([^)]*)\);path="([^"]*)";challenge="([^"]*)"$/.exec(header);
  return match ? { algorithms: match[1].split(" "), path: match[2], challenge: match[3] } : null;
}

/** Secure-Session-Challenge: the challenge and the session it is for. */
export function parseChallenge(header: string | null): { challenge: string; id: string } | null {
  const match = header && /^"([^"]*)";id="([^"]*)"$/.exec(header);
  return match ? { challenge: match[1], id: match[2] } : null;
}

/** One browser: a jar, and once registered, a key and a DBSC session id. */
export class DeviceBrowser {
  jar = new Jar();
  key?: CryptoKeyPair;
  id?: string;
  /** The registration offer seen last, if any. */
  offer?: { path: string; challenge: string };

  constructor(readonly baseURL: string) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(path, this.baseURL);
    const headers = new Headers(init.headers);
    const cookie = this.jar.header(url.pathname);
    if (cookie) headers.set("cookie", cookie);
    const response = await fetch(url, { redirect: "manual", ...init, headers });
    this.jar.take(response);
    const offer = parseRegistration(response.headers.get("secure-session-registration"));
    if (offer) this.offer = offer;
    return response;
  }

  /** Signs in with the no-JavaScript form, then loads `next` (where the middleware hands over the offer). */
  async signIn(username: string, password: string, fields: Record<string, string> = {}, next = "/students") {
    const response = await postLogin(this.baseURL, { username, password, next, ...fields });
    if (response.status !== 303) throw new Error(`sign-in failed: ${response.status}`);
    this.jar.take(response);
    return this.fetch(next);
  }

  /** Where a page sends this browser: 200, or the login page it is redirected to. */
  async signedIn(path = "/students"): Promise<boolean> {
    const response = await this.fetch(path);
    await response.arrayBuffer();
    return response.status === 200;
  }

  /** Registers, as Chromium does on the offer: a new key, the proof of the offer's challenge. */
  async register(alg: Algorithm = "ES256", jwt?: string): Promise<Response> {
    if (!this.offer) throw new Error("no registration offer seen");
    this.key ??= await deviceKey(alg);
    const response = await this.fetch(this.offer.path, {
      method: "POST",
      headers: {
        origin: this.baseURL,
        "secure-session-response": jwt ?? (await proof(this.key, this.offer.challenge, { register: true })),
      },
    });
    if (response.status === 200)
      this.id = ((await response.clone().json()) as { session_identifier: string }).session_identifier;
    return response;
  }

  /** One refresh POST: `jwt` if given (Chromium's cached proof), none otherwise. */
  async refreshOnce(jwt?: string, id = this.id!): Promise<Response> {
    const headers: Record<string, string> = { origin: this.baseURL, "sec-secure-session-id": id };
    if (jwt) headers["secure-session-response"] = jwt;
    return this.fetch("/auth/dbsc/refresh", { method: "POST", headers });
  }

  /** A whole refresh as Chromium runs it: without a proof, then signing each challenge (at most 4 times). */
  async refresh(): Promise<Response> {
    let response = await this.refreshOnce();
    for (let round = 0; round < 4 && response.status === 403; round++) {
      const challenge = parseChallenge(response.headers.get("secure-session-challenge"));
      if (!challenge || challenge.id !== this.id) return response;
      response = await this.refreshOnce(await proof(this.key!, challenge.challenge));
    }
    return response;
  }
}
