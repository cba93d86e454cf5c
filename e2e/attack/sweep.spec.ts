import { expect, serverWith, test, USERS } from "../support/fixtures";
import { signInByFetch } from "../support/http";
import { rawRequest, type RawResponse } from "../support/raw-http";
import type { RunningServer } from "../support/server";

/**
 * The sweep: not the known bad requests one by one, but every kind of odd
 * request at every route, anonymous and signed in, on both stores: every
 * HTTP method, malformed percent-encoding in every path segment and query
 * parameter the app reads, every Next.js-internal request header with
 * garbage and with well-formed but wrong values, and every request-target
 * form. Whatever comes in: no 5xx, no signed-in content to an anonymous
 * visitor, and the security headers on every HTML answer.
 */
test.setTimeout(240_000);

const ROUTES = ["/", "/login", "/session", "/students", "/students/3", "/students/999", "/healthz", "/no-such-page"];
const METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
  "TRACE",
  "CONNECT",
  "PROPFIND",
  "MKCOL",
  "LOCK",
  "COPY",
  "BREW",
  "X-SESSION",
];
const BAD_ESCAPES = ["%", "1%", "%Z", "%ZZ", "%E0%A4%A", "%C0%AF", "%FF", "%00", "%%", "%2", "%u0041"];
/** The query parameters the app reads. */
const PARAMETERS: Record<string, string[]> = { "/login": ["next", "signed-out"] };
const tree = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const INTERNAL_HEADERS: Record<string, string>[] = [
  ...[
    "x",
    "%",
    "%E0%A4%A",
    "[]",
    "{}",
    "null",
    "[1,2]",
    tree(["", {}]),
    tree(["students", { children: ["x", {}] }]),
    tree(["", { children: ["__PAGE__", {}] }, null, "refetch"]),
    "[".repeat(5000),
  ].map((value) => ({ RSC: "1", "Next-Router-State-Tree": value })),
  { RSC: "1" },
  { RSC: "garbage" },
  { RSC: "0", "Next-Router-State-Tree": "x" },
  { RSC: "true", "Next-Router-State-Tree": "[".repeat(5000) },
  { RSC: "1", "Next-Router-Prefetch": "1" },
  { RSC: "1", "Next-Router-Prefetch": "x", "Next-Router-State-Tree": "x" },
  { RSC: "1", "Next-Router-Segment-Prefetch": "/_tree" },
  { RSC: "1", "Next-Router-Segment-Prefetch": "x" },
  { RSC: "1", "Next-Router-Segment-Prefetch": "/../../etc/passwd" },
  { RSC: "1", "Next-Router-Segment-Prefetch": "/_tree", "Next-Router-Prefetch": "1" },
  { "Next-Action": "garbage" },
  { "Next-Action": "0".repeat(42) },
  { "Next-Url": "x" },
  { "Next-Url": "//evil.example" },
  { RSC: "1", "Next-Url": "%" },
  { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
  { "x-middleware-subrequest": "x" },
  { "x-middleware-prefetch": "1" },
  { "x-middleware-invoke": "1" },
  { "x-middleware-next": "1" },
  { "x-middleware-rewrite": "http://evil.example/" },
  { "x-middleware-redirect": "http://evil.example/" },
  { "x-middleware-override-headers": "cookie" },
  { "x-middleware-request-cookie": "session=x" },
  { "x-middleware-set-cookie": "session=x" },
  { "x-nextjs-data": "1" },
  { "x-nextjs-matched-path": "/students" },
  { "x-nextjs-rewritten-path": "/students" },
  { "x-nextjs-redirect": "http://evil.example/" },
  { "x-now-route-matches": "x" },
  { "x-invoke-path": "/students" },
  { "x-invoke-status": "500" },
  { "x-forwarded-host": "evil.example" },
  { "x-forwarded-proto": "gopher" },
];
/** Request targets in each form (RFC 9112, 3.2) besides the usual origin form. */
const TARGET_FORMS: { method: string; target: string }[] = [
  { method: "GET", target: "http://evil.example/students" },
  { method: "GET", target: "http://evil.example/login" },
  { method: "GET", target: "https://evil.example/" },
  { method: "GET", target: "http://127.0.0.1/students" },
  { method: "CONNECT", target: "evil.example:443" },
  { method: "OPTIONS", target: "*" },
  { method: "GET", target: "*" },
  { method: "GET", target: "students" },
  { method: "GET", target: "//evil.example/students" },
];

type Probe = { method: string; target: string; headers?: Record<string, string> };

function probes(): Probe[] {
  const list: Probe[] = [];
  for (const route of ROUTES) for (const method of METHODS) list.push({ method, target: route });
  for (const route of ROUTES) {
    const segments = route.split("/").slice(1);
    segments.forEach((_, index) => {
      for (const bad of BAD_ESCAPES) {
        const changed = [...segments];
        changed[index] = `${changed[index]}${bad}`;
        list.push({ method: "GET", target: `/${changed.join("/")}` });
      }
    });
  }
  for (const [route, parameters] of Object.entries(PARAMETERS)) {
    for (const parameter of parameters) {
      for (const bad of BAD_ESCAPES) {
        list.push({ method: "GET", target: `${route}?${parameter}=${bad}` });
        list.push({ method: "GET", target: `${route}?${parameter}${bad}=1` });
      }
    }
  }
  for (const route of ["/", "/login", "/session", "/students", "/students/3"]) {
    for (const headers of INTERNAL_HEADERS) list.push({ method: "GET", target: route, headers });
  }
  list.push(...TARGET_FORMS);
  return list;
}

/** Security headers every HTML answer must carry. */
const REQUIRED = ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"];

function problems(probe: Probe, response: RawResponse, signedIn: boolean): string[] {
  const found: string[] = [];
  const what = `${probe.method} ${probe.target}${probe.headers ? ` ${JSON.stringify(probe.headers).slice(0, 80)}` : ""}`;
  if (response.status === 0) found.push(`${what}: no HTTP answer`);
  if (response.status >= 500) found.push(`${what}: ${response.status}`);
  if (!signedIn && response.body.includes('data-testid="signed-in-user"'))
    found.push(`${what}: signed-in content, anonymously`);
  if ((response.headers["content-type"] ?? "").startsWith("text/html")) {
    const missing = REQUIRED.filter((name) => !response.headers[name]);
    if (missing.length > 0) found.push(`${what}: HTML without ${missing.join(", ")}`);
  }
  const location = response.headers.location;
  if (location && /^(https?:)?\/\//.test(location) && !location.startsWith(`http://127.0.0.1:`)) {
    found.push(`${what}: redirect off this origin to ${location}`);
  }
  return found;
}

async function sweep(server: RunningServer, cookie: string | undefined) {
  const queue = probes();
  const total = queue.length;
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  async function worker() {
    for (let probe = queue.shift(); probe; probe = queue.shift()) {
      const headers = { ...(cookie ? { Cookie: cookie } : {}), ...probe.headers };
      let response = await rawRequest(server.port, { method: probe.method, target: probe.target, headers });
      // Follow same-origin redirects with the same headers, as a client would (Next.js answers an RSC
      // request without its cache-busting `_rsc` parameter with a redirect that adds it).
      for (let hop = 0; hop < 3 && [307, 308].includes(response.status); hop++) {
        const location = response.headers.location ?? "";
        if (!location.startsWith("/") || location.startsWith("//")) break;
        failures.push(...problems(probe, response, cookie !== undefined));
        response = await rawRequest(server.port, { method: probe.method, target: location, headers });
      }
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      failures.push(...problems(probe, response, cookie !== undefined));
    }
  }
  await Promise.all(Array.from({ length: 6 }, worker));
  return { total, statuses, failures };
}

for (const store of ["cookie", "redis"] as const) {
  test(`the sweep, ${store} store: every method, escape, internal header and target form, anonymous and signed in`, async () => {
    const server = await serverWith(store === "redis" ? { SESSION_STORE: "redis" } : {}, { npmStart: true });
    try {
      const cookie = await signInByFetch(server.url, "alice", USERS.alice);
      const results = [await sweep(server, undefined), await sweep(server, cookie)];
      const total = results.reduce((sum, result) => sum + result.total, 0);
      const statuses = new Map<number, number>();
      for (const result of results)
        for (const [status, count] of result.statuses) statuses.set(status, (statuses.get(status) ?? 0) + count);
      const failures = results.flatMap((result) => result.failures);
      const fiveXX = [...statuses].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0);
      const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${status}:${count}`);
      console.log(
        `sweep (${store} store): ${total} requests, ${fiveXX} 5xx, ${failures.length} problems, statuses ${byStatus.join(" ")}`,
      );
      if (failures.length > 0) console.log(failures.slice(0, 200).join("\n"));
      expect(failures.slice(0, 40)).toEqual([]);
      expect(server.output()).not.toMatch(/⨯|Internal Server Error/);
    } finally {
      await server.stop();
    }
  });
}
