import { expect, serverWith, test, USERS } from "../support/fixtures";
import { signInByFetch } from "../support/http";
import { rawRequest } from "../support/raw-http";
import { BROKEN_TREES, mutatedTrees, NOT_TREES, tree, VALID_TREES } from "../../scripts/router-trees";
import { readableRouterState } from "../../scripts/screen.mjs";

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

test("the screen's router-state check refuses exactly what plain next start answers with a 500", async () => {
  test.setTimeout(120_000);
  const server = await serverWith({});
  try {
    // (Not the headers Node's parser stops first: over its 16 KB, or blank.)
    const headers = [...[...VALID_TREES, ...BROKEN_TREES].map(tree), ...NOT_TREES, ...mutatedTrees(300)].filter(
      (header) => header.length < 8_000 && header.trim() !== "",
    );
    const disagreements: string[] = [];
    let refused = 0;
    for (const header of headers) {
      const sent = { RSC: "1", "Next-Router-State-Tree": header };
      // Next.js first redirects an RSC request to the address with its cache-busting parameter.
      const first = await rawRequest(server.port, { target: "/login", headers: sent });
      const target = first.status === 307 ? first.headers.location : "/login";
      const { status } = await rawRequest(server.port, { target, headers: sent });
      const nextFails = status === 500;
      if (nextFails) refused += 1;
      if (nextFails === readableRouterState(header)) {
        disagreements.push(`${decodeURIComponent(header).slice(0, 120)}: next start ${status}`);
      }
    }
    console.log(
      `router states: ${headers.length} sent to plain next start, ${refused} failed there, the screen agrees on ${headers.length - disagreements.length}`,
    );
    expect(disagreements).toEqual([]);
    expect(refused).toBeGreaterThan(BROKEN_TREES.length);
  } finally {
    await server.stop();
  }
});
