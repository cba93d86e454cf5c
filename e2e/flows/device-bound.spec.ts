import { setTimeout as sleep } from "node:timers/promises";
import { DeviceBrowser, deviceKey, parseChallenge, proof, publicJwk, signJwt } from "../support/dbsc-client";
import { COOKIE, expect, test, USERS } from "../support/fixtures";

/**
 * Device-bound sessions (DBSC) over the wire, as a browser with DBSC speaks
 * it (e2e/support/dbsc-client.ts: WebCrypto keys, the draft's headers), in
 * both stores. A bound cookie lives 10 s here, so that a copied jar's end is
 * seen; e2e/proxy/device-bound-browser.spec.ts does it in a real Chromium.
 */
test.use({ serverEnv: { DEVICE_BOUND_LIFETIME: "10s" } });

const WINDOW_MS = 10_000;

async function bound(baseURL: string, alg: "ES256" | "RS256" = "ES256") {
  const browser = new DeviceBrowser(baseURL);
  await browser.signIn("alice", USERS.alice);
  const registration = await browser.register(alg);
  expect(registration.status).toBe(200);
  return browser;
}

test("sign-in offers a binding once; the browser registers its key and the session is bound", async ({ baseURL }) => {
  const browser = new DeviceBrowser(baseURL!);
  const anonymous = await browser.fetch("/login");
  expect(anonymous.headers.get("secure-session-registration")).toBeNull();
  const first = await browser.signIn("alice", USERS.alice);
  expect(first.status).toBe(200);
  expect(browser.offer).toMatchObject({ path: "/auth/dbsc/register" });
  expect(first.headers.get("secure-session-registration")).toMatch(
    /^\(ES256 RS256\);path="\/auth\/dbsc\/register";challenge="[^"]+"$/,
  );
  const again = await browser.fetch("/students");
  expect(again.headers.get("secure-session-registration"), "offered once").toBeNull();

  const registration = await browser.register();
  expect(registration.status).toBe(200);
  const instructions = await registration.json();
  expect(instructions).toEqual({
    session_identifier: expect.stringMatching(/^[\w-]{43}$/),
    refresh_url: "/auth/dbsc/refresh",
    scope: { include_site: false, scope_specification: [{ type: "exclude", path: "/auth/dbsc" }] },
    credentials: [{ type: "cookie", name: COOKIE, attributes: "Path=/; HttpOnly; SameSite=Lax; Secure" }],
  });
  // The bound cookie as the instructions describe it, living for the window; the long-lived one for the refresh only.
  const lines = registration.headers.getSetCookie();
  const page = lines.find((line) => line.startsWith(`${COOKIE}=`))!;
  expect(page).toMatch(/; Path=\/;/);
  expect(page).toMatch(/HttpOnly/);
  expect(page).toMatch(/SameSite=lax/i);
  expect(page).toMatch(/Secure/);
  expect(Number(/Max-Age=(\d+)/.exec(page)![1])).toBeLessThanOrEqual(10);
  expect(lines.find((line) => line.startsWith("__Secure-session-device="))).toMatch(/Path=\/auth\/dbsc/);

  expect(await browser.signedIn()).toBe(true);
  const playground = await (await browser.fetch("/session")).text();
  expect(playground).toContain(instructions.session_identifier);
});

test("a bound session refreshes with a signed challenge; a copied jar without the key is signed out when its window ends", async ({
  baseURL,
}) => {
  test.setTimeout(60_000);
  const browser = await bound(baseURL!);
  const stolen = browser.jar.copy();

  // The refresh: a 403 with a challenge for this session, then the signed challenge moves the window.
  const asked = await browser.refreshOnce();
  expect(asked.status).toBe(403);
  const challenge = parseChallenge(asked.headers.get("secure-session-challenge"));
  expect(challenge?.id).toBe(browser.id);
  const signed = await proof(browser.key!, challenge!.challenge);
  const refreshed = await browser.refreshOnce(signed);
  expect(refreshed.status).toBe(200);
  expect(refreshed.headers.getSetCookie().some((line) => line.startsWith(`${COOKIE}=`))).toBe(true);
  // Chromium re-sends its last proof until it gets a new challenge: a spent one gets a fresh challenge, not a window.
  const replayed = await browser.refreshOnce(signed);
  expect(replayed.status).toBe(403);
  expect(parseChallenge(replayed.headers.get("secure-session-challenge"))?.challenge).not.toBe(challenge!.challenge);

  await sleep(WINDOW_MS + 1_000);
  // The browser with the key: its cookie expired too, and a refresh brings the session back.
  expect((await browser.refresh()).status).toBe(200);
  expect(await browser.signedIn()).toBe(true);

  // The copy: every cookie, no key.
  const thief = new DeviceBrowser(baseURL!);
  thief.jar = stolen;
  expect(await thief.signedIn(), "the bound cookie has expired").toBe(false);
  const deviceCookie = stolen.get("__Secure-session-device", "/auth/dbsc")!;
  const forged = await thief.fetch("/students", { headers: { cookie: `${COOKIE}=${deviceCookie}` } });
  expect(forged.status, "the long-lived cookie alone opens no page").toBe(307);
  const noProof = await thief.refreshOnce(undefined, browser.id);
  expect(noProof.status).toBe(403);
  const theirs = await deviceKey();
  const wrongKey = await thief.refreshOnce(
    await proof(theirs, parseChallenge(noProof.headers.get("secure-session-challenge"))!.challenge),
    browser.id,
  );
  expect(wrongKey.status).toBe(401);
  expect(await wrongKey.json()).toMatchObject({ session_identifier: browser.id, continue: false });
  expect(await thief.signedIn()).toBe(false);
});

test("RS256 keys register and refresh too", async ({ baseURL }) => {
  const browser = await bound(baseURL!, "RS256");
  expect((await browser.refresh()).status).toBe(200);
  expect(await browser.signedIn()).toBe(true);
});

test("what no browser may do gets a clear 4xx, never a 500, and binds nothing", async ({ baseURL }) => {
  const base = baseURL!;
  const post = (path: string, headers: Record<string, string>, cookie = "") =>
    fetch(new URL(path, base), {
      method: "POST",
      headers: { origin: base, ...headers, ...(cookie ? { cookie } : {}) },
    });

  // Registration with no session, or with no proof.
  const key = await deviceKey();
  const stray = await post("/auth/dbsc/register", {
    "secure-session-response": await proof(key, "x", { register: true }),
  });
  expect(stray.status).toBe(400);
  expect((await stray.json()).error).toMatch(/offer/);

  const browser = new DeviceBrowser(base);
  await browser.signIn("alice", USERS.alice);
  const challenge = browser.offer!.challenge;
  const jwk = await publicJwk(key);
  const register = async (jwt: string) => {
    const response = await browser.fetch("/auth/dbsc/register", {
      method: "POST",
      headers: { origin: base, "secure-session-response": jwt },
    });
    return { status: response.status, error: ((await response.json()) as { error?: string }).error ?? "" };
  };
  const unsigned = (header: object, payload: object) =>
    `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`;
  const cases: [string, string | Promise<string>, RegExp][] = [
    ["alg none", unsigned({ alg: "none", typ: "dbsc+jwt", jwk }, { jti: challenge }), /signed JWT/],
    ["alg none, signature added", signJwt(key, { alg: "none", typ: "dbsc+jwt", jwk }, { jti: challenge }), /alg/],
    ["HS256", signJwt(key, { alg: "HS256", typ: "dbsc+jwt", jwk }, { jti: challenge }), /alg/],
    ["RS256 over an EC key", signJwt(key, { alg: "RS256", typ: "dbsc+jwt", jwk }, { jti: challenge }), /jwk/],
    ["another typ", signJwt(key, { alg: "ES256", typ: "JWT", jwk }, { jti: challenge }), /typ/],
    ["no key", signJwt(key, { alg: "ES256", typ: "dbsc+jwt" }, { jti: challenge }), /jwk/],
    [
      "a wrong audience",
      signJwt(key, { alg: "ES256", typ: "dbsc+jwt", jwk }, { jti: challenge, aud: "https://evil.example/" }),
      /aud/,
    ],
    [
      "a stale iat",
      signJwt(key, { alg: "ES256", typ: "dbsc+jwt", jwk }, { jti: challenge, iat: 1_600_000_000 }),
      /iat/,
    ],
    ["an exp passed", signJwt(key, { alg: "ES256", typ: "dbsc+jwt", jwk }, { jti: challenge, exp: 1_000 }), /exp/],
    [
      "an nbf to come",
      signJwt(key, { alg: "ES256", typ: "dbsc+jwt", jwk }, { jti: challenge, nbf: 9_999_999_999 }),
      /nbf/,
    ],
    ["a challenge not ours", proof(key, "made-up", { register: true }), /offer/],
    ["no challenge", signJwt(key, { alg: "ES256", typ: "dbsc+jwt", jwk }, {}), /jti/],
    ["an array payload", signJwt(key, { alg: "ES256", typ: "dbsc+jwt", jwk }, "[1]"), /object/],
    ["garbage", "not a jwt", /signed JWT/],
    ["bad base64", "@@.@@.@@", /signed JWT/],
    ["oversized", `${"a".repeat(9000)}.b.c`, /over/],
  ];
  for (const [name, jwt, reason] of cases) {
    const { status, error } = await register(await jwt);
    expect(status, name).toBe(400);
    expect(error, name).toMatch(reason);
  }
  // A signature that does not match the payload.
  const good = await proof(key, challenge, { register: true });
  const [h, , s] = good.split(".");
  const tampered = `${h}.${Buffer.from(JSON.stringify({ jti: challenge + "x" })).toString("base64url")}.${s}`;
  expect((await register(tampered)).status).toBe(400);
  expect(await browser.signedIn()).toBe(true);

  // Registered once; the same proof again, or another key: already bound.
  expect((await register(good)).status).toBe(200);
  const twice = await register(good);
  expect(twice).toMatchObject({ status: 409, error: expect.stringMatching(/already bound/) });
  const other = await register(await proof(await deviceKey(), challenge, { register: true }));
  expect(other.status).toBe(409);

  // Refresh: a malformed id, an unknown one, a proof that carries a key, a body.
  const refresh = (headers: Record<string, string>) =>
    browser.fetch("/auth/dbsc/refresh", { method: "POST", headers: { origin: base, ...headers } });
  expect((await refresh({ "sec-secure-session-id": "<script>" })).status).toBe(400);
  expect((await refresh({})).status).toBe(400);
  const unknown = await refresh({ "sec-secure-session-id": "A".repeat(43) });
  expect(unknown.status).toBe(401);
  expect(await unknown.json()).toMatchObject({ continue: false });
  const body = await browser.fetch("/auth/dbsc/refresh", {
    method: "POST",
    headers: { origin: base, "sec-secure-session-id": "A".repeat(43) },
    body: "x".repeat(5000),
  });
  expect(body.status).toBe(413);
  expect((await refresh({ "sec-secure-session-id": "A".repeat(43), origin: "https://evil.example" })).status).toBe(400);

  // Any other method: a 405 that says what the endpoint takes.
  for (const path of ["/auth/dbsc/register", "/auth/dbsc/refresh"]) {
    for (const method of ["GET", "HEAD", "PUT", "PATCH", "DELETE"]) {
      const wrong = await fetch(new URL(path, base), { method });
      expect(wrong.status, `${method} ${path}`).toBe(405);
      expect(wrong.headers.get("allow"), `${method} ${path}`).toBe("POST, OPTIONS");
      if (method !== "HEAD") expect((await wrong.json()).error, `${method} ${path}`).toMatch(/takes POST/);
    }
    const options = await fetch(new URL(path, base), { method: "OPTIONS" });
    expect([options.status, options.headers.get("allow")], path).toEqual([204, "POST, OPTIONS"]);
  }
});

test("a challenge is for one session; after sign-out the refresh ends the browser's session", async ({ baseURL }) => {
  const [a, b] = await Promise.all([bound(baseURL!), bound(baseURL!)]);
  // B's challenge, signed by B's key, sent with A's cookies and A's id: not A's key.
  const asked = parseChallenge((await b.refreshOnce()).headers.get("secure-session-challenge"))!;
  const crossed = await a.refreshOnce(await proof(b.key!, asked.challenge));
  expect(crossed.status).toBe(401);
  // B's challenge signed with A's key: a challenge for another session, so a fresh one for A.
  const misdirected = await a.refreshOnce(await proof(a.key!, asked.challenge));
  expect(misdirected.status).toBe(403);
  expect(parseChallenge(misdirected.headers.get("secure-session-challenge"))?.id).toBe(a.id);

  const signOut = await a.fetch("/session");
  expect(signOut.status).toBe(200);
  const html = await signOut.text();
  const { formFieldsOf, postForm } = await import("../support/http");
  const out = await postForm(baseURL!, "/session", formFieldsOf(html, "Sign out"), {
    cookie: a.jar.header("/session"),
  });
  expect(out.status).toBe(303);
  a.jar.take(out);
  expect(a.jar.get("__Secure-session-device", "/auth/dbsc"), "sign-out expires the long-lived cookie").toBeUndefined();
  const after = await a.refresh();
  expect(after.status).toBe(401);
  expect(await after.json()).toMatchObject({ session_identifier: a.id, continue: false });
});
