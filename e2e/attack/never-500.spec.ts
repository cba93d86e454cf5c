import { COOKIE, expect, serverWith, setValue, test, USERS } from "../support/fixtures";
import { actionFields, formData, signInByFetch } from "../support/http";
import { rawRequest, type RawResponse } from "../support/raw-http";
import { startRedis } from "../support/redis-server";

/**
 * The requests that used to get a 500 from Next.js, one by one, each with
 * the answer it gets now (the sweep in sweep.spec.ts covers their kinds).
 */

const SECURITY = ["x-content-type-options", "x-frame-options", "referrer-policy", "permissions-policy"];

function expectSecurityHeaders(response: RawResponse, what: string) {
  for (const name of SECURITY) expect(response.headers[name], `${what}: ${name}`).toBeTruthy();
  if ((response.headers["content-type"] ?? "").startsWith("text/html")) {
    expect(response.headers["content-security-policy"], `${what}: CSP`).toMatch(/default-src/);
  }
}

/** A page the middleware answers itself, in the app's look: the app's header and home link, its column, a style of its own. */
function expectAppStyledPage(response: RawResponse, title: string) {
  expect(response.headers["content-type"]).toMatch(/^text\/html/);
  expect(response.body).toMatch(/<style nonce="[^"]+">/);
  expect(response.headers["content-security-policy"]).toMatch(/style-src 'nonce-[^']+'/);
  expect(response.body).toMatch(
    /<header class="site-header">.*<a href="\/" class="site-home">.*<span class="site-name">Sessions<\/span><\/a>/,
  );
  expect(response.body).toContain(`<main class="site-main"><h1 class="title">${title}</h1>`);
}

test("a malformed or wrong-shaped router state is a 400, logged once without a stack trace", async ({
  baseURL,
  server,
}) => {
  const port = Number(new URL(baseURL!).port);
  const cookie = await signInByFetch(baseURL!, "alice", USERS.alice);
  for (const [target, signedIn] of [
    ["/login", false],
    ["/", false],
    ["/session", false],
    ["/students", true],
  ] as const) {
    for (const tree of ["x", "%", "[]", "{}", encodeURIComponent('["",{"children":1}]')]) {
      const response = await rawRequest(port, {
        target,
        headers: { RSC: "1", "Next-Router-State-Tree": tree, ...(signedIn ? { Cookie: cookie } : {}) },
      });
      expect(response.status, `${target} ${tree}`).toBe(400);
      expectSecurityHeaders(response, target);
    }
  }
  const log = server.output();
  expect(log.match(/"cause":"400:The router state header could not be read\."/g)).toHaveLength(1);
  expect(log).not.toMatch(/could not be parsed|^\s+at /m);
});

test("a signed-in student page with a malformed escape is the app's own 404", async ({ baseURL }) => {
  const port = Number(new URL(baseURL!).port);
  const cookie = await signInByFetch(baseURL!, "alice", USERS.alice);
  for (const id of ["1%", "%", "%ZZ", "%E0%A4%A", "%C0%AF", "%FF"]) {
    const response = await rawRequest(port, { target: `/students/${id}`, headers: { Cookie: cookie } });
    expect(response.status, id).toBe(404);
    expectSecurityHeaders(response, id);
    expect(response.body, id).toContain("Not found");
  }
});

test("TRACE is a 405, OPTIONS * names what is allowed, CONNECT is refused: no session needed", async ({ baseURL }) => {
  const port = Number(new URL(baseURL!).port);
  for (const target of ["/", "/login", "/students"]) {
    const trace = await rawRequest(port, { method: "TRACE", target });
    expect(trace.status, target).toBe(405);
    expect(trace.headers.allow).toBe("GET, HEAD, POST, OPTIONS");
    expectSecurityHeaders(trace, `TRACE ${target}`);
  }
  const options = await rawRequest(port, { method: "OPTIONS", target: "*" });
  expect([options.status, options.headers.allow]).toEqual([204, "GET, HEAD, POST, OPTIONS"]);
  const connect = await rawRequest(port, { method: "CONNECT", target: "evil.example:443" });
  expect(connect.status).toBe(405);
});

test("what Node's parser refuses (a method it does not know, a request over 16 KB) gets a status that says why, a message and the headers", async ({
  baseURL,
}) => {
  const port = Number(new URL(baseURL!).port);
  for (const method of ["FOO", "BREW", "X-SESSION"]) {
    const response = await rawRequest(port, { method, target: "/session" });
    expect([response.status, response.headers.allow, response.body], method).toEqual([
      405,
      "GET, HEAD, POST, OPTIONS",
      "This server does not take that method. It takes GET, HEAD, POST, OPTIONS.\n",
    ]);
    expectSecurityHeaders(response, method);
  }
  for (const request of [
    { target: `/students/${"a".repeat(17_000)}` },
    { target: "/", headers: { "X-Big": "b".repeat(17_000) } },
  ]) {
    const response = await rawRequest(port, request);
    expect([response.status, response.body]).toEqual([
      431,
      "The request's address and headers are over 16 KB together.\n",
    ]);
    expectSecurityHeaders(response, "431");
  }
});

test("an absolute-form request target is a 400, never a redirect to the host it names", async ({ baseURL }) => {
  const port = Number(new URL(baseURL!).port);
  for (const target of ["http://evil.example/students", "https://evil.example/login"]) {
    const response = await rawRequest(port, { target });
    expect(response.status, target).toBe(400);
    expect(response.headers.location, target).toBeUndefined();
    expectSecurityHeaders(response, target);
  }
  // The absolute form of this very server is served as its path.
  const own = await rawRequest(port, { target: `http://127.0.0.1:${port}/login` });
  expect(own.status).toBe(200);
});

test("an action body over 1 MB sent in chunks is the 413 page, as with a Content-Length", async ({ baseURL }) => {
  const port = Number(new URL(baseURL!).port);
  const fields = actionFields(await (await fetch(`${baseURL}/login`)).text());
  const encoded = new Response(formData({ ...fields, username: "alice", password: "p".repeat(1100 * 1024) }));
  const body = Buffer.from(await encoded.arrayBuffer()).toString("latin1");
  const headers = { "Content-Type": encoded.headers.get("content-type")!, Origin: baseURL! };
  for (const chunked of [true, false]) {
    const response = await rawRequest(port, { method: "POST", target: "/login", headers, body, chunked });
    expect(response.status, chunked ? "chunked" : "with Content-Length").toBe(413);
    expectAppStyledPage(response, "Request refused");
  }
});

test("the refusals the middleware answers are pages in the app's look, with a policy of their own", async ({
  baseURL,
}) => {
  const port = Number(new URL(baseURL!).port);
  const fields = actionFields(await (await fetch(`${baseURL}/login`)).text());
  const form = new Response(formData({ ...fields, username: "alice", password: "x" }));
  const body = Buffer.from(await form.arrayBuffer()).toString("latin1");
  const type = form.headers.get("content-type")!;
  const crossSite = await rawRequest(port, {
    method: "POST",
    target: "/login",
    headers: { "Content-Type": type, Origin: "https://evil.example" },
    body,
  });
  expect(crossSite.status).toBe(403);
  expectAppStyledPage(crossSite, "Request refused");
  const broken = await rawRequest(port, {
    method: "POST",
    target: "/login",
    headers: { "Content-Type": "multipart/form-data; boundary=x", Origin: baseURL! },
    body: "--x\r\nbroken",
  });
  expect(broken.status).toBe(400);
  expectAppStyledPage(broken, "Request refused");
});

test("a playground key named like a property of every object (__proto__, constructor) is stored as any other", async ({
  page,
}) => {
  await page.goto("/session");
  for (const key of ["__proto__", "constructor", "toString"]) {
    const form = await setValue(page, key, `a value for ${key}`);
    await expect(form.getByRole("status")).toHaveText(`Set “${key}”.`);
  }
  await page.reload();
  await expect(page.getByTestId("session-contents")).toHaveText(
    '{"__proto__":"a value for __proto__","constructor":"a value for constructor","toString":"a value for toString"}',
  );
  expect((await page.context().cookies()).map((cookie) => cookie.name)).toContain(COOKIE);
});

test("the session service's 503 page is in the app's look too (Redis stopped under a server)", async () => {
  const redis = await startRedis();
  const server = await serverWith({ SESSION_STORE: "redis", REDIS_URL: redis.url }, { npmStart: true });
  try {
    const cookie = await signInByFetch(server.url, "alice", USERS.alice); // written, not read yet
    await redis.stop();
    const redirect = await rawRequest(server.port, { target: "/students", headers: { Cookie: cookie } });
    expect([redirect.status, redirect.headers.location]).toEqual([307, "/unavailable?next=%2Fstudents"]);
    const response = await rawRequest(server.port, { target: redirect.headers.location!, headers: { Cookie: cookie } });
    expect(response.status).toBe(503);
    expectAppStyledPage(response, "Session service unavailable");
  } finally {
    await server.stop();
    await redis.stop();
  }
});
