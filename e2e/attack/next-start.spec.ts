import { expect, serverWith, test, USERS } from "../support/fixtures";
import { signInByFetch } from "../support/http";
import { rawRequest } from "../support/raw-http";

/**
 * Why `npm start` has a server of its own (scripts/server.mjs, screen.mjs):
 * what plain `next start` of this very build still does with the requests
 * Next.js 16.4 cannot read. Each test fails once Next.js answers such a
 * request properly itself, and says which rule of the screen can go then.
 */
test("plain next start still fails these requests; when one passes, its rule in scripts/screen.mjs can go", async () => {
  const server = await serverWith({});
  try {
    const port = server.port;
    const cookie = await signInByFetch(server.url, "alice", USERS.alice);
    const trace = await rawRequest(port, { method: "TRACE", target: "/login" });
    expect(trace.status, "Next.js now answers TRACE itself: screen.mjs's TRACE rule can go").toBe(500);
    const asterisk = await rawRequest(port, { method: "OPTIONS", target: "*" });
    expect(asterisk.status, "Next.js now answers OPTIONS * itself: the asterisk rule can go").toBe(500);
    const absolute = await rawRequest(port, { target: "http://evil.example/students" });
    expect(
      [absolute.status, absolute.headers.location],
      "Next.js no longer redirects an absolute-form target to its host: that rule can go",
    ).toEqual([308, "http://evil.example/students"]);
    const state = await rawRequest(port, {
      target: "/students",
      headers: { RSC: "1", "Next-Router-State-Tree": "x", Cookie: cookie },
    });
    // Next.js first sends an RSC request without its cache-busting parameter to the address with one.
    const location = state.status === 307 ? state.headers.location : "/students";
    const parsed = await rawRequest(port, {
      target: new URL(location, server.url).pathname + new URL(location, server.url).search,
      headers: { RSC: "1", "Next-Router-State-Tree": "x", Cookie: cookie },
    });
    expect(
      parsed.status,
      "Next.js now reads a malformed router state without a 500: the router-state rule can go",
    ).toBe(500);
    expect(server.output()).toMatch(/The router state header was sent but could not be parsed/);
  } finally {
    await server.stop();
  }
});
