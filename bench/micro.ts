/**
 * Micro-benchmarks of the session layer, in this process: what sealing and
 * opening a cookie cost (iron-session's sealData and unsealData), what a
 * request's session check costs (a cookie opened for the first time, and one
 * already opened), the cookie's size, and what a password check costs.
 */
import { createHash } from "node:crypto";
import { compactVerify, importJWK, jwtVerify } from "jose";
import { sealData, unsealData } from "iron-session";
import { NextRequest } from "next/server";
import { deviceKey, proof, publicJwk } from "../e2e/support/dbsc-client";
import { hashPassword, parseHash, verifyPassword } from "../lib/auth/password";
import { loadConfig } from "../lib/config";
import { readRequestSession } from "../lib/session";
import { guideToken } from "./guide-token";

export type MicroResult = { name: string; value: number; unit: string; note?: string };

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The production settings of `secret`, as lib/session.ts reads them (the benchmark's process sets the environment). */
async function configFor(secret: string) {
  Object.assign(process.env, { NODE_ENV: "production", SESSION_SECRET: secret });
  process.env.AUTH_USERS = `admin:${await hashPassword("admin123", { logN: 10, r: 8, p: 1 })}`;
  return loadConfig().session;
}

/** A cookie-store session sealed as lib/session.ts seals one (its password id is the secret's hash). */
async function sealSession(secret: string, wire: object): Promise<string> {
  const id = String(Number.parseInt(createHash("sha256").update(secret).digest("hex").slice(0, 6), 16) + 1);
  return sealData(wire, { password: { [id]: secret }, ttl: 0 });
}

/**
 * A "remember me" cookie whose refresh is due: every request that shows it
 * makes the server slide the session forward (a new seal and a Set-Cookie),
 * because the load client, unlike a browser, never stores the new cookie.
 */
export async function staleRememberedCookie(secret: string, user: string): Promise<string> {
  const then = nowSeconds() - 3_600;
  return `__Host-session=${await sealSession(secret, { u: user, p: 1, c: then, r: then })}`;
}

const WARMUP_CALLS = 200;

/** Mean µs per call of `run` over `iterations` calls (indexes from WARMUP_CALLS on), after a warm-up (indexes below). */
async function perOp(
  iterations: number,
  run: (index: number) => unknown,
  warmup = Math.min(WARMUP_CALLS, iterations),
): Promise<number> {
  for (let index = 0; index < warmup; index += 1) await run(index);
  const started = process.hrtime.bigint();
  for (let index = warmup; index < warmup + iterations; index += 1) await run(index);
  return Number(process.hrtime.bigint() - started) / 1e3 / iterations;
}

export async function microBenchmarks(quick: boolean): Promise<MicroResult[]> {
  const secret = "bench-micro-secret-0123456789abcdefghijklmnop";
  const config = await configFor(secret);
  const now = nowSeconds();
  const wire = { u: "admin", c: now, r: now };
  const rounds = quick ? 2_000 : 20_000;
  const ironRounds = quick ? 200 : 1_000;
  const results: MicroResult[] = [];
  const add = (result: MicroResult) => {
    results.push(result);
    console.log(`  ${result.name.padEnd(58)} ${result.value.toFixed(result.value < 10 ? 2 : 1)} ${result.unit}`);
  };

  const passwords = { 1: secret };
  add({
    name: "seal (iron-session sealData)",
    value: await perOp(ironRounds, () => sealData(wire, { password: passwords, ttl: 0 })),
    unit: "µs/op",
  });
  const sealed = await sealData(wire, { password: passwords, ttl: 0 });
  add({
    name: "unseal (iron-session unsealData)",
    value: await perOp(ironRounds, () => unsealData(sealed, { password: passwords })),
    unit: "µs/op",
  });

  // The middleware's session check (lib/session.ts readRequestSession): open + validate, a request each.
  const cookie = await sealSession(secret, wire);
  const coldRounds = Math.min(ironRounds, 1_000);
  const fresh = await Promise.all(
    Array.from({ length: coldRounds + WARMUP_CALLS }, (_, n) => sealSession(secret, { ...wire, v: { n: String(n) } })),
  );
  // The requests are made beforehand: what is timed is the check, not NextRequest's constructor.
  const requests = (values: string[]) =>
    values.map(
      (value) => new NextRequest("http://localhost/students", { headers: { cookie: `${config.cookieName}=${value}` } }),
    );
  const [coldRequests, hitRequests] = [requests(fresh), requests(Array(rounds + WARMUP_CALLS).fill(cookie))];
  add({
    name: "session check, cookie not seen before (unseal + validate)",
    value: await perOp(coldRounds, (index) => readRequestSession(coldRequests[index])),
    unit: "µs/op",
  });
  add({
    name: "session check, cookie already opened (cache hit)",
    value: await perOp(rounds, (index) => readRequestSession(hitRequests[index])),
    unit: "µs/op",
  });

  // The auth guide's check (bench/guide/app/lib/session.ts), which its proxy.ts and its DAL each make per page.
  const key = new TextEncoder().encode(secret);
  const jwt = await guideToken(secret, "admin");
  add({
    name: "the auth guide's check (jose jwtVerify, HS256)",
    value: await perOp(rounds, () => jwtVerify(jwt, key, { algorithms: ["HS256"] })),
    unit: "µs/op",
  });

  // A DBSC refresh's one signature check (lib/session/device-bound.ts): an ES256 proof against the session's key.
  const device = await deviceKey("ES256");
  const proven = await proof(device, "a challenge");
  const publicKey = await importJWK(await publicJwk(device), "ES256");
  add({
    name: "a DBSC refresh's signature check (jose compactVerify, ES256)",
    value: await perOp(ironRounds, () => compactVerify(proven, publicKey, { algorithms: ["ES256"] })),
    unit: "µs/op",
  });

  add({
    name: "signed-in cookie (Cookie header: name=value)",
    value: Buffer.byteLength(`${config.cookieName}=${cookie}`),
    unit: "bytes",
    note: `user "admin", cookie store`,
  });

  const hash = parseHash(await hashPassword("admin123"));
  if (!hash) throw new Error("cannot parse the hash just made");
  const verifyRounds = quick ? 1 : 4;
  add({
    name: "password verify (scrypt N=2^17, r=8, p=1)",
    value: (await perOp(verifyRounds, () => verifyPassword("admin123", hash), 1)) / 1000,
    unit: "ms/op",
  });
  return results;
}
