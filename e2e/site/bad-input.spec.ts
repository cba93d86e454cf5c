import type { APIRequestContext, APIResponse } from "@playwright/test";
import { COOKIE, expect, test, USERS } from "../support/fixtures";
import { actionFields, actionId as idOf, formFieldsOf, postForm, postLogin, signInByFetch } from "../support/http";

/**
 * Hostile or broken requests, sent as a script would (no browser to keep
 * them well-formed): each with the answer it should get. None of them may
 * get a 500 or set a session. (Thousands more, cookies included, in
 * e2e/attack/fuzz.spec.ts.)
 */
type Action = { fields: Record<string, string> };

async function loginAction(request: APIRequestContext): Promise<Action> {
  return { fields: actionFields(await (await request.get("/login")).text()) };
}

test("form posts with missing, empty, huge, binary and repeated fields get messages, never a 500", async ({
  request,
  baseURL,
}) => {
  const action = await loginAction(request);
  const responses: APIResponse[] = [];
  const post = async (multipart: Record<string, string | { name: string; mimeType: string; buffer: Buffer }>) => {
    const response = await request.post("/login", {
      multipart: { ...action.fields, ...multipart },
      headers: { Origin: baseURL! },
    });
    responses.push(response);
    return response;
  };

  let response = await post({});
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain("Enter your username.");

  response = await post({ username: "", password: "" });
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain("Enter your password.");

  response = await post({ username: "a".repeat(900_000), password: "x" });
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain("A username has at most 64 characters.");

  response = await post({ username: "alice", password: "p".repeat(1024 * 1024) });
  expect(response.status()).toBe(413);
  expect(await response.text()).toContain("too large");

  response = await post({
    username: { name: "x.bin", mimeType: "application/octet-stream", buffer: Buffer.from([0, 255, 1, 254]) },
    password: "x",
  });
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain("must be text.");

  response = await post({ username: "\u0000\uffff\ud800", password: "\u0000" });
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain("Wrong username or password.");

  // Not one of them signed anyone in.
  expect(responses).toHaveLength(6);
  for (const result of responses) expect(result.headers()["set-cookie"] ?? "").not.toContain(COOKIE);
});

test("unknown action ids, malformed action bodies and odd content types are 4xx", async ({ request, baseURL }) => {
  const action = await loginAction(request);
  const id = idOf(action.fields);
  const headers = { Origin: baseURL! };
  const cases: { headers: Record<string, string>; data: string }[] = [
    { headers: { "Next-Action": "0".repeat(42), "Content-Type": "text/plain;charset=UTF-8" }, data: "[]" },
    { headers: { "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8" }, data: "not json" },
    { headers: { "Next-Action": id, "Content-Type": "application/json" }, data: '{"a":' },
    { headers: { "Next-Action": id, "Content-Type": "application/x-www-form-urlencoded" }, data: "a=1" },
    { headers: { "Content-Type": "multipart/form-data; boundary=x" }, data: "--x\r\nbroken" },
  ];
  for (const { headers: extra, data } of cases) {
    const response = await request.post("/login", { headers: { ...headers, ...extra }, data });
    expect(response.status(), JSON.stringify(extra)).toBeGreaterThanOrEqual(400);
    expect(response.status(), JSON.stringify(extra)).toBeLessThan(500);
  }
  // Arguments that are not a form, or references to parts that are not there: answered, not a crash.
  for (const arg of ['"$@1"', '"$K1"', '"$Q1"', '"$F1"', '{"$$typeof":1}', "null", '"$T"', '"$nope"', '"$Dnope"']) {
    const response = await request.post("/login", {
      headers: { ...headers, "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8" },
      data: `[{},${arg}]`,
    });
    expect(response.status(), arg).toBeLessThan(500);
  }
  const response = await request.post("/login", {
    headers: { ...headers, "Next-Action": id, "Content-Type": "text/plain;charset=UTF-8" },
    data: '[1,"x",{"y":2}]',
  });
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain("Enter your username.");
});

test("a cross-origin sign-in post is refused with 403 and changes nothing", async ({ request }) => {
  const action = await loginAction(request);
  const response = await request.post("/login", {
    multipart: { ...action.fields, username: "alice", password: "correct horse battery staple" },
    headers: { Origin: "https://evil.example" },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
  expect(response.headers()["set-cookie"] ?? "").not.toContain(COOKIE);
});

test("a sign-in whose carried-over values would no longer fit in the cookie says so, never a 500", async ({
  baseURL,
}) => {
  const base = baseURL!;
  const fields = formFieldsOf(await (await fetch(`${base}/session`)).text(), "Set a key");
  // Fill the anonymous session to within a few bytes of the cookie's 4 KB: values of halving length.
  let cookie = "";
  for (let n = 0, length = 1000; length >= 4; n++) {
    const response = await postForm(
      base,
      "/session",
      { ...fields, key: `k${n}`, value: "v".repeat(length) },
      { cookie },
    );
    const set = response.headers.getSetCookie().find((header) => header.startsWith(`${COOKIE}=`));
    if (set) cookie = set.split(";")[0];
    if ((await response.text()).includes("Not saved:")) length = Math.floor(length / 2);
  }
  expect(cookie).not.toBe("");
  const response = await postLogin(
    base,
    { username: "alice", password: USERS.alice, remember: "on" },
    { headers: { cookie } },
  );
  expect(response.status).toBe(200);
  expect(response.headers.getSetCookie().some((header) => header.startsWith(`${COOKIE}=`))).toBe(false);
  expect(await response.text()).toContain("Not signed in: The session would need a");
});

test("pages take GET, HEAD, POST and OPTIONS: OPTIONS says so, any other method is a 405 page, signed in or not", async ({
  request,
  baseURL,
}) => {
  const cookie = await signInByFetch(baseURL!, "alice", USERS.alice);
  for (const headers of [{}, { cookie, "accept-language": "zh-CN" }] as Record<string, string>[]) {
    for (const path of ["/", "/login", "/students", "/students/1", "/session", "/nope"]) {
      const options = await request.fetch(path, { method: "OPTIONS", headers, maxRedirects: 0 });
      expect([options.status(), options.headers().allow, await options.text()], `OPTIONS ${path}`).toEqual([
        204,
        "GET, HEAD, POST, OPTIONS",
        "",
      ]);
      for (const method of ["PUT", "DELETE", "PATCH", "PROPFIND"]) {
        const response = await request.fetch(path, { method, headers, maxRedirects: 0 });
        const what = `${method} ${path}`;
        expect(response.status(), what).toBe(405);
        expect(response.headers().allow, what).toBe("GET, HEAD, POST, OPTIONS");
        expect(response.headers()["x-frame-options"], what).toBe("DENY");
        expect(response.headers()["content-security-policy"], what).toMatch(/default-src 'none'/);
        const body = await response.text();
        expect(body, what).toContain(
          headers.cookie ? "只接受 GET、HEAD 和 POST" : "take GET, HEAD and POST requests only",
        );
        expect(body, what).not.toContain("signed-in-user");
      }
    }
  }
});
