import { formFieldsOf, postForm, postLogin } from "../support/http";
import { COOKIE, expect, test, USERS } from "../support/fixtures";

/**
 * A cookie that the middleware expires stays expired when the request is a
 * server action. After every action Next.js 16.4 sends the middleware's
 * Set-Cookie lines again, parsed and written anew, and its parser drops a
 * Max-Age of 0: without more, the browser would keep an empty cookie. So
 * every expiring cookie also says Expires=1970 (lib/session.ts's cookie()).
 * The last check of each test tells when Next keeps the Max-Age, and the
 * Expires can go.
 */
const EPOCH = "Expires=Thu, 01 Jan 1970 00:00:00 GMT";

/** The Set-Cookie lines of `response` for the cookie `name`. */
const linesFor = (response: Response, name: string) =>
  response.headers.getSetCookie().filter((line) => line.startsWith(`${name}=`));

/** Switches the language with the header's server action (it sets the `lang` cookie), as `cookie` (a Cookie header). */
async function switchLanguage(base: string, cookie: string): Promise<Response> {
  const fields = formFieldsOf(await (await fetch(`${base}/session`)).text(), "中文");
  const response = await postForm(base, "/session", { ...fields, locale: "zh" }, { cookie });
  expect(response.status).toBe(200);
  expect(response.headers.getSetCookie().some((line) => line.startsWith("lang=zh"))).toBe(true);
  return response;
}

function expectRemoved(lines: string[]) {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line, "every line removes the cookie").toMatch(/^[^=]+=;/);
  for (const line of lines) expect(line, "every line removes the cookie").toContain(EPOCH);
  expect(
    lines.some((line) => !line.includes("Max-Age=0")),
    "Next.js sends it again without its Max-Age=0 (when this fails, Next keeps it: the Expires can go)",
  ).toBe(true);
}

test("a dead session cookie, and a server action that sets a cookie: the session cookie is removed", async ({
  baseURL,
}) => {
  expectRemoved(linesFor(await switchLanguage(baseURL!, `${COOKIE}=not-a-seal`), COOKIE));
});

test("a dead session cookie, and a failed sign-in (an action that sets no cookie): still removed", async ({
  baseURL,
}) => {
  const answer = await postLogin(
    baseURL!,
    { username: "alice", password: "not the password" },
    { headers: { cookie: `${COOKIE}=not-a-seal` } },
  );
  expect(await answer.text()).toContain("Wrong username or password");
  expectRemoved(linesFor(answer, COOKIE));
});

test("the device-binding offer, handed over on a server action's answer, is removed", async ({ baseURL }) => {
  const base = baseURL!;
  const login = await postLogin(base, { username: "alice", password: USERS.alice, next: "/students" });
  expect(login.status).toBe(303);
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .filter((pair) => !pair.endsWith("="))
    .join("; ");
  expect(cookie).toContain(`${COOKIE}-offer=`);
  const answer = await switchLanguage(base, cookie);
  expect(answer.headers.get("secure-session-registration"), "the offer was handed over").toContain("challenge=");
  expectRemoved(linesFor(answer, `${COOKIE}-offer`));
});
