/**
 * Micro-benchmarks of the session layer, in this process: what sealing and
 * opening a cookie cost (ours, synchronous node:crypto, against iron-session's
 * WebCrypto path on the same payload), what a request's session check costs
 * (a cookie opened for the first time, and one already opened), the cookie's
 * size, and what a password check costs.
 */
import Module from "node:module";
import path from "node:path";

// lib/ imports `server-only`, which throws outside React Server Components; the unit tests alias it the same way.
const stub = path.resolve(__dirname, "../lib/testing/server-only-stub.ts");
const resolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = resolver._resolveFilename;
resolver._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
  return resolve.call(this, request === "server-only" ? stub : request, ...rest);
};

/** Empties lib/session.ts's process-wide cache of opened seals (it lives on globalThis under this symbol). */
function forgetOpenedSeals() {
  const cache = (globalThis as Record<symbol, unknown>)[Symbol.for("next-sessions.opened-seals")];
  if (!(cache instanceof Map)) throw new Error("lib/session.ts's cache of opened seals was not found");
  cache.clear();
}

export type MicroResult = { name: string; value: number; unit: string; note?: string };

async function modules() {
  const [session, config, password, iron] = await Promise.all([
    import("../lib/session"),
    import("../lib/config"),
    import("../lib/password"),
    import("iron-session"),
  ]);
  return { session, config, password, iron };
}

async function configFor(secret: string, authUsers?: string) {
  const { config, password } = await modules();
  return config.loadConfig({
    NODE_ENV: "production",
    SESSION_SECRET: secret,
    AUTH_USERS: authUsers ?? `admin:${await password.hashPassword("admin123", { logN: 10, r: 8, p: 1 })}`,
  });
}

/**
 * A "remember me" cookie whose refresh is due: every request that shows it
 * makes the server slide the session forward (a new seal and a Set-Cookie),
 * because the load client, unlike a browser, never stores the new cookie.
 */
export async function staleRememberedCookie(secret: string, user: string): Promise<string> {
  const { session } = await modules();
  const config = await configFor(secret);
  const now = session.nowSeconds();
  const then = now - 3_600;
  const { value } = await session.sealSession(
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
  const { session, password, iron } = await modules();
  const secret = "bench-micro-secret-0123456789abcdefghijklmnop";
  const config = await configFor(secret);
  const now = session.nowSeconds();
  const data = { user: "admin", permanent: false, values: {}, createdAt: now, refreshedAt: now };
  const rounds = quick ? 2_000 : 20_000;
  const ironRounds = quick ? 200 : 1_000;
  const results: MicroResult[] = [];
  const add = (result: MicroResult) => {
    results.push(result);
    console.log(`  ${result.name.padEnd(58)} ${result.value.toFixed(result.value < 10 ? 2 : 1)} ${result.unit}`);
  };

  const sealed = await session.sealSession(data, config, now);
  const { cookieStore } = await import("../lib/session-store");
  const { payload: wire } = await cookieStore.save(data, { ttl: 0 });
  const passwords = { 1: secret };

  add({
    name: "seal (ours, node:crypto)",
    value: await perOp(rounds, () => session.sealFe26(wire, passwords, 3600)),
    unit: "µs/op",
  });
  add({
    name: "seal (iron-session, WebCrypto)",
    value: await perOp(ironRounds, () => iron.sealData(wire, { password: passwords, ttl: 3600 })),
    unit: "µs/op",
  });
  const oursSeal = session.sealFe26(wire, passwords, 3600);
  add({
    name: "unseal (ours, node:crypto)",
    value: await perOp(rounds, () => session.unsealFe26(oursSeal, passwords)),
    unit: "µs/op",
  });
  add({
    name: "unseal (iron-session, WebCrypto)",
    value: await perOp(ironRounds, () => iron.unsealData(oursSeal, { password: passwords })),
    unit: "µs/op",
  });

  // A request's session check: open + validate (shape, expiry). Fresh seals miss the cache of opened seals.
  const coldRounds = Math.min(rounds, 5_000);
  const fresh = await Promise.all(
    Array.from({ length: coldRounds + WARMUP_CALLS }, () =>
      session.sealSession(data, config, now).then((c) => c.value),
    ),
  );
  forgetOpenedSeals(); // sealing remembers what it sealed; these must be opened for real
  add({
    name: "session check, cookie not seen before (unseal + validate)",
    value: await perOp(coldRounds, (index) => session.openSession(fresh[index], now, config)),
    unit: "µs/op",
  });
  add({
    name: "session check, cookie already opened (cache hit)",
    value: await perOp(rounds, () => session.openSession(sealed.value, now, config)),
    unit: "µs/op",
  });

  add({
    name: "signed-in cookie (Cookie header: name=value)",
    value: Buffer.byteLength(`${config.cookieName}=${sealed.value}`),
    unit: "bytes",
    note: `user "admin", cookie store`,
  });

  const hash = password.parseHash(await password.hashPassword("admin123"));
  if (!hash) throw new Error("cannot parse the hash just made");
  const verifyRounds = quick ? 1 : 4;
  add({
    name: "password verify (scrypt N=2^17, r=8, p=1)",
    value: (await perOp(verifyRounds, () => password.verifyPassword("admin123", hash), 1)) / 1000,
    unit: "ms/op",
  });
  return results;
}
