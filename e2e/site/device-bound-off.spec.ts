import { DeviceBrowser } from "../support/dbsc-client";
import { COOKIE, expect, serverWith, test, USERS } from "../support/fixtures";

/**
 * DEVICE_BOUND_SESSIONS=false turns device-bound sessions off, and turning
 * them off signs nobody out: a session bound by a server that had them on
 * is unbound at its next refresh, and the browser is told to stop (DBSC's
 * `continue: false`). Two servers with the one secret, as in a deploy that
 * turns the setting off.
 */
test("turned off: no offer, no registration, and a session bound before goes on unbound", async ({ baseURL }) => {
  const on = { url: baseURL! }; // this file's server, with the default settings
  const off = await serverWith({ DEVICE_BOUND_SESSIONS: "false" });
  try {
    const plain = new DeviceBrowser(off.url);
    await plain.signIn("bob", USERS.bob);
    expect(plain.offer, "no registration offered").toBeUndefined();
    const refused = await fetch(`${off.url}/auth/dbsc/register`, { method: "POST", headers: { origin: off.url } });
    expect(refused.status).toBe(404);
    expect((await refused.json()).error).toMatch(/DEVICE_BOUND_SESSIONS=false/);

    const browser = new DeviceBrowser(on.url);
    await browser.signIn("alice", USERS.alice);
    expect((await browser.register()).status).toBe(200);
    // The deploy turns it off: the same browser, now served by the other server.
    const moved = new DeviceBrowser(off.url);
    Object.assign(moved, { jar: browser.jar, key: browser.key, id: browser.id });
    expect(await moved.signedIn()).toBe(true);
    const ended = await moved.refresh();
    expect(ended.status).toBe(200);
    expect(await ended.json()).toEqual({ session_identifier: browser.id, continue: false });
    const page = ended.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`));
    expect(page, "an unbound cookie, as long-lived as any (the unit tests move the clock past the window)").not.toMatch(
      /Max-Age/,
    );
    expect(ended.headers.getSetCookie().find((line) => line.startsWith("__Secure-session-device="))).toMatch(
      /Max-Age=0/,
    );
    expect(await moved.signedIn()).toBe(true);
    expect(await (await moved.fetch("/session")).text()).toContain("no: this browser registered no key");
  } finally {
    await off.stop();
  }
});
