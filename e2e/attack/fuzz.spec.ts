import { createHash, randomBytes } from "node:crypto";
import { sealData } from "iron-session";
import { COOKIE, expect, flip, serverWith, test, TEST_SECRET, USERS } from "../support/fixtures";
import { actionFields, actionId, formData, postLogin, signInByFetch } from "../support/http";

/**
 * The hostile-input suite: thousands of malformed, forged and oversized
 * requests against one production server. Whatever comes in: no 5xx, no
 * redirect off this origin, guarded pages stay guarded, and a normal
 * sign-in still works afterwards.
 */

test.setTimeout(240_000);

const OPEN_REDIRECTS = [
  "//evil.example",
  "///evil.example",
  "////evil.example/%2e%2e",
  "/\\evil.example",
  "\\/evil.example",
  "/\\/evil.example",
  "https://evil.example",
  "http:evil.example",
  "http:/evil.example",
  "//evil.example@127.0.0.1",
  "/%2F%2Fevil.example",
  "/%5Cevil.example",
  "/%09/evil.example",
  "/\t/evil.example",
  "/\r\n/evil.example",
  "javascript:alert(1)",
  "JAVASCRIPT:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "%2F%2Fevil.example",
  "/.evil.example",
  "//%65vil.example",
  "/ /evil.example",
  "/students/../../evil.example",
  "/students/..%2F..%2F%2Fevil.example",
  "https:%2F%2Fevil.example",
  "//evil%E3%80%82example",
  "/@evil.example",
  "\u2215\u2215evil.example",
  "/login?next=//evil.example",
];

/** Runs `seal` with the clock `seconds` in the past (iron-session reads Date.now). */
async function sealedInThePast(seconds: number, seal: () => Promise<string>): Promise<string> {
  const realNow = Date.now;
  Date.now = () => realNow() - seconds * 1000;
  try {
    return await seal();
  } finally {
    Date.now = realNow;
  }
}

type Probe = { kind: string; run: () => Promise<Response>; guarded?: boolean };

/** A character of the seal changed to a random other one. */
const scramble = (seal: string, at: number) => flip(seal, at, 1 + Math.floor(Math.random() * 60));

for (const store of ["cookie", "redis"] as const) {
  test(`thousands of hostile requests, ${store} store: no 5xx, no off-origin redirect, guarded pages stay guarded`, async () => {
    // Each fuzz run is its own client address (X-Forwarded-For), so its failed
    // sign-ins cannot throttle the final, honest one.
    const server = await serverWith(
      { TRUST_PROXY: "true", ...(store === "redis" ? { SESSION_STORE: "redis" } : {}) },
      { npmStart: true },
    );
    try {
      await fuzz(server.url, store);
    } finally {
      await server.stop();
    }
  });
}

async function fuzz(base: string, store: "cookie" | "redis") {
  const address = () => `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  const validCookie = await signInByFetch(base, "alice", USERS.alice, { "X-Forwarded-For": "192.0.2.1" });
  const seal = decodeURIComponent(validCookie.split("=").slice(1).join("="));
  const body = seal.slice(0, seal.lastIndexOf("~")); // the part the MAC covers
  // The server's password id (lib/session.ts: from its secret's hash), which the Redis store's cookie, a bare id, does not carry.
  const keyId = String(Number.parseInt(createHash("sha256").update(TEST_SECRET).digest("hex").slice(0, 6), 16) + 1);
  const now = Math.floor(Date.now() / 1000);

  const loginHtml = await (await fetch(`${base}/login`)).text();
  const loginFields = actionFields(loginHtml);
  const loginId = actionId(loginFields);

  const cookies: { kind: string; value: string }[] = [];
  for (let i = 0; i < 75; i++)
    cookies.push({ kind: "random bytes", value: randomBytes(1 + ((i * 4) % 300)).toString("latin1") });
  for (let i = 0; i < 50; i++)
    cookies.push({ kind: "random base64", value: randomBytes(20 + i * 6).toString("base64url") });
  for (let i = 3; i < 203; i += 2)
    cookies.push({ kind: "truncated seal", value: seal.slice(0, Math.max(0, seal.length - i)) });
  for (let i = 0; i < 125; i++)
    cookies.push({ kind: "bit-flipped seal", value: scramble(body, (i * 2) % body.length) + "~2" });
  for (let i = 0; i < 40; i++) {
    const other = randomBytes(32).toString("hex");
    cookies.push({
      kind: "seal from another secret",
      value: await sealData(
        { u: "alice", c: now, r: now },
        { password: { [i % 2 ? keyId : String(i + 1)]: other }, ttl: 3600 },
      ),
    });
  }
  for (let i = 0; i < 10; i++) {
    // Genuine seals (the server's secret) whose Fe26 expiration passed beyond its 60 s of skew…
    cookies.push({
      kind: "expired seal (Fe26)",
      value: await sealedInThePast(120 + i, () =>
        sealData({ u: "alice", c: now, r: now }, { password: { [keyId]: TEST_SECRET }, ttl: 1 }),
      ),
    });
    // …and genuine seals of a session past its lifetimes (our cookies carry no Fe26 expiration).
    const old = now - 400 * 86_400 - i;
    cookies.push({
      kind: "expired session",
      value: await sealData({ u: "alice", c: old, r: old }, { password: { [keyId]: TEST_SECRET }, ttl: 0 }),
    });
  }
  for (let i = 0; i < 40; i++) {
    // Genuine seals of ids the store never issued (the Redis store: no record, no session).
    const id = randomBytes(32).toString("base64url");
    cookies.push({
      kind: "forged session id",
      value: await sealData({ i: id }, { password: { [keyId]: TEST_SECRET }, ttl: 3600 }),
    });
    cookies.push({ kind: "made-up session id", value: randomBytes(32).toString("base64url") });
  }
  cookies.push({ kind: "8 KB cookie", value: "A".repeat(8 * 1024) });
  cookies.push({ kind: "8 KB seal-like", value: `Fe26.2*${keyId}*${"a".repeat(8 * 1024)}` });
  cookies.push({ kind: "64 KB cookie", value: "B".repeat(64 * 1024) });
  for (const odd of [
    "\u0000",
    "é",
    "😀",
    "%00",
    "%ZZ",
    '"',
    "\\",
    ";",
    ",",
    " ",
    "=",
    "*",
    "~",
    "~2",
    "Fe26.2",
    "*".repeat(7),
  ]) {
    cookies.push({ kind: "odd characters", value: `${odd}${seal.slice(0, 40)}${odd}` });
  }

  const probes: Probe[] = [];
  const get = (path: string, cookie: string) => () =>
    fetch(`${base}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });
  for (const { kind, value } of cookies) {
    const encoded = /^[\x21-\x7e]*$/.test(value) && !/[;,"\\]/.test(value) ? value : encodeURIComponent(value);
    for (const path of ["/students", "/students/2", "/session", "/"]) {
      probes.push({
        kind: `cookie: ${kind}`,
        run: get(path, `${COOKIE}=${encoded}`),
        guarded: path.startsWith("/students"),
      });
    }
  }
  for (let i = 0; i < 40; i++) {
    // Duplicate cookies: a forged one next to the real one, in both orders.
    const forged = `${COOKIE}=${scramble(body, 30 + i)}~2`;
    probes.push({
      kind: "duplicate cookies",
      run: get("/session", i % 2 ? `${forged}; ${validCookie}` : `${validCookie}; ${forged}`),
    });
  }

  const post = (fields: Record<string, string | Blob | string[]>) => () =>
    postLogin(base, fields, { loginFields, headers: { "X-Forwarded-For": address() } });
  const forms: Record<string, string | Blob | string[]>[] = [
    {},
    { username: "", password: "" },
    { username: "alice" },
    { password: "x" },
    { username: "a".repeat(1024 * 1024), password: "x" },
    { username: "alice", password: "p".repeat(1024 * 1024) },
    { username: new Blob([randomBytes(64)]), password: "x" },
    { username: "alice", password: new Blob([randomBytes(64)], { type: "application/octet-stream" }) },
    { username: ["alice", "bob"], password: ["x", "y"] },
    { username: "\u0000\u202e", password: "\ud800" },
    { username: "alice", password: USERS.alice, remember: ["on", "off", "1"] },
  ];
  for (let i = 0; i < 15; i++) for (const form of forms) probes.push({ kind: "login form", run: post(form) });
  for (let i = 0; i < 4; i++) {
    for (const next of OPEN_REDIRECTS) {
      probes.push({ kind: "next payload", run: post({ username: "alice", password: USERS.alice, next }) });
    }
  }
  const action = (headers: Record<string, string>, payload: BodyInit) => () =>
    fetch(`${base}/login`, {
      method: "POST",
      body: payload,
      headers: { Origin: base, ...headers },
      redirect: "manual",
    });
  for (let i = 0; i < 30; i++) {
    const id = randomBytes(21).toString("hex");
    probes.push({
      kind: "unknown action id",
      run: action({ "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8" }, "[]"),
    });
    probes.push({
      kind: "unknown action id (form)",
      run: action({}, formData({ [`$ACTION_ID_${id}`]: "", username: "x" })),
    });
  }
  const contentTypes = [
    "application/json",
    "application/x-www-form-urlencoded",
    "text/xml",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=zzz",
    "text/plain",
    "",
  ];
  const bodies = [
    '{"a":',
    "[]",
    "a=1&b=2",
    "--zzz\r\nContent-Disposition: form-data\r\n\r\nx",
    "\u0000\u0001",
    '[{"$K1":1}]',
    '["$@0"]',
  ];
  for (const type of contentTypes) {
    for (const payload of bodies) {
      probes.push({
        kind: "wrong content type",
        run: action({ "Next-Action": loginId, "Content-Type": type }, payload),
      });
      probes.push({ kind: "wrong content type (no id)", run: action({ "Content-Type": type }, payload) });
    }
  }

  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let offOrigin = 0;
  let guardedChecks = 0;
  const queue = [...probes];
  async function worker() {
    for (let probe = queue.shift(); probe; probe = queue.shift()) {
      let response: Response;
      try {
        response = await probe.run();
      } catch (error) {
        failures.push(`${probe.kind}: request failed: ${String(error)}`);
        continue;
      }
      await response.arrayBuffer().catch(() => undefined);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500) failures.push(`${probe.kind}: ${response.status}`);
      const location = response.headers.get("location");
      if (location && new URL(location, base).origin !== new URL(base).origin) {
        offOrigin++;
        failures.push(`${probe.kind}: redirect to ${location}`);
      }
      if (probe.guarded && response.status < 400) {
        guardedChecks++;
        if (response.status !== 307 || !location?.startsWith("/login?next=")) {
          failures.push(`${probe.kind}: guarded page answered ${response.status} ${location ?? ""}`);
        }
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker));

  const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
  const fiveXX = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0);
  const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}:${count}`);
  console.log(
    `fuzz (${store} store): ${total} hostile requests, ${fiveXX} 5xx, ${offOrigin} off-origin redirects, ${guardedChecks} guarded checks, statuses ${byStatus.join(" ")}`,
  );
  expect(total).toBeGreaterThanOrEqual(2000);
  expect(failures.slice(0, 20)).toEqual([]);

  // And the server still serves an honest visitor.
  const cookie = await signInByFetch(base, "bob", USERS.bob, { "X-Forwarded-For": "192.0.2.99" });
  const page = await fetch(`${base}/students`, { headers: { Cookie: cookie }, redirect: "manual" });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain(">bob<");
}
