import autocannon, { type Result } from "autocannon";
import { expect, test, USERS } from "../support/fixtures";
import { actionFields, formData, signInByFetch } from "../support/http";

/**
 * Correctness under load, not speed: for about 10 seconds, 50 connections
 * mix anonymous, signed-in and sign-in traffic against the production
 * server. Every response must be exactly the expected one.
 */
test.use({ serverEnv: { TRUST_PROXY: "true" } });
test.setTimeout(120_000);

const DURATION = 10;

function run(options: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

test("50 connections of mixed traffic for 10 s: no errors, no unexpected statuses", async ({ baseURL }) => {
  const base = baseURL!;
  const cookie = await signInByFetch(base, "alice", USERS.alice, { "X-Forwarded-For": "192.0.2.10" });

  // A sign-in as the no-JavaScript form sends it, encoded once and replayed.
  const loginFields = actionFields(await (await fetch(`${base}/login`)).text());
  const signInRequest = new Request(`${base}/login`, {
    method: "POST",
    body: formData({ ...loginFields, username: "bob", password: USERS.bob, next: "/students" }),
  });
  const signInBody = Buffer.from(await signInRequest.arrayBuffer());
  const signInType = signInRequest.headers.get("content-type")!;

  const scenarios = {
    anonymous: {
      connections: 20,
      expected: 307,
      requests: [{ method: "GET" as const, path: "/students" }],
      headers: { "x-forwarded-for": "192.0.2.11" },
    },
    signedIn: {
      connections: 25,
      expected: 200,
      requests: [{ method: "GET" as const, path: "/students" }],
      headers: { cookie, "x-forwarded-for": "192.0.2.12" },
    },
    signIn: {
      connections: 5,
      expected: 303,
      requests: [{ method: "POST" as const, path: "/login", body: signInBody }],
      headers: { "content-type": signInType, origin: base, "x-forwarded-for": "192.0.2.13" },
    },
  };

  const results = await Promise.all(
    Object.entries(scenarios).map(async ([name, scenario]) => {
      const result = await run({
        url: base,
        connections: scenario.connections,
        duration: DURATION,
        headers: scenario.headers,
        requests: scenario.requests,
        timeout: 30,
      });
      return { name, scenario, result };
    }),
  );

  let total = 0;
  let maxP99 = 0;
  for (const { name, scenario, result } of results) {
    const statuses = Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count]),
    );
    console.log(
      `load ${name}: ${result.requests.total} requests, ${result.requests.average} req/s, p99 ${result.latency.p99} ms, statuses ${JSON.stringify(statuses)}, errors ${result.errors}, timeouts ${result.timeouts}`,
    );
    expect(result.errors, name).toBe(0);
    expect(result.timeouts, name).toBe(0);
    expect(Object.keys(statuses), name).toEqual([String(scenario.expected)]);
    expect(result.requests.total, name).toBeGreaterThan(0);
    total += result.requests.total;
    maxP99 = Math.max(maxP99, result.latency.p99);
  }
  const throughput = Math.round(total / DURATION);
  console.log(
    `load: ${total} requests in ${DURATION} s over 50 connections, ${throughput} req/s, worst p99 ${maxP99} ms, 0 errors, 0 unexpected statuses`,
  );
});
