/**
 * Micro-benchmarks of the session layer, in this process: what sealing and
 * opening a cookie cost (iron-session's sealData and unsealData), what a
 * request's session check costs (a cookie opened for the first time, and one
 * already opened), the cookie's size, and what a password check costs.
 */
import { sealData, unsealData } from "iron-session";
import { loadConfig } from "../lib/config";
import { hashPassword, parseHash, verifyPassword } from "../lib/auth/password";
import { memoryJar } from "../lib/session/memory-jar";
import { nowSeconds } from "../lib/session/policy";
import { forgetAllSeals } from "../lib/session/seal";
import { createSessions } from "../lib/session/sessions";
import { toWire } from "../lib/session/wire";
import { sealCookieSession } from "../lib/session/write";

export type MicroResult = { name: string; value: number; unit: string; note?: string };

async function configFor(secret: string) {
  return loadConfig({
    NODE_ENV: "production",
    SESSION_SECRET: secret,
    AUTH_USERS: `admin:${await hashPassword("admin123", { logN: 10, r: 8, p: 1 })}`,
  }).session;
}

/**
 * A "remember me" cookie whose refresh is due: every request that shows it
 * makes the server slide the session forward (a new seal and a Set-Cookie),
 * because the load client, unlike a browser, never stores the new cookie.
 */
export async function staleRememberedCookie(secret: string, user: string): Promise<string> {
  const config = await configFor(secret);
  const now = nowSeconds();
  const then = now - 3_600;
  const { value } = await sealCookieSession(
    { user, permanent: true, values: {}, createdAt: then, refreshedAt: then },
    config,
    now,
  );
  return `${config.cookieName}=${value}`;
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
  const sessions = createSessions(config);
  const now = nowSeconds();
  const data = { user: "admin", permanent: false, values: {}, createdAt: now, refreshedAt: now };
  const rounds = quick ? 2_000 : 20_000;
  const ironRounds = quick ? 200 : 1_000;
  const results: MicroResult[] = [];
  const add = (result: MicroResult) => {
    results.push(result);
    console.log(`  ${result.name.padEnd(58)} ${result.value.toFixed(result.value < 10 ? 2 : 1)} ${result.unit}`);
  };

  const wire = toWire(data);
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

  // A request's session check: open + validate (shape, expiry), each on a request (jar) of its own.
  const signedIn = memoryJar();
  await sessions.signIn(signedIn, "admin", false);
  const cookie = signedIn.value(config.cookieName)!;
  const coldRounds = Math.min(ironRounds, 1_000);
  const fresh = await Promise.all(
    Array.from({ length: coldRounds + WARMUP_CALLS }, async () => (await sealCookieSession(data, config, now)).value),
  );
  forgetAllSeals(); // sealing remembers what it sealed; these must be opened for real
  const get = (value: string) => sessions.get(memoryJar({ [config.cookieName]: value }));
  add({
    name: "session check, cookie not seen before (unseal + validate)",
    value: await perOp(coldRounds, (index) => get(fresh[index])),
    unit: "µs/op",
  });
  add({
    name: "session check, cookie already opened (cache hit)",
    value: await perOp(rounds, () => get(cookie)),
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
