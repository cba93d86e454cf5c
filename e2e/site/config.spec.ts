import { COOKIE, expect, serverWith, sessionCookie, signIn, test, TEST_SECRET, withCookie } from "../support/fixtures";

test("a secret can be rotated: old cookies open while the old secret is a fallback, and not after", async ({
  browser,
}) => {
  test.setTimeout(120_000); // three servers of its own
  const older = TEST_SECRET;
  const newer = "rotated-secret-9876543210-abcdefghijklmnopqrstuvwxyz";
  const [old, rotated, dropped] = await Promise.all([
    serverWith({ SESSION_SECRET: older }),
    serverWith({ SESSION_SECRET: newer, SESSION_SECRET_FALLBACKS: older }),
    serverWith({ SESSION_SECRET: newer }),
  ]);
  const servers = { old, rotated, dropped };
  // Cookies are per host, not per port: all three servers see the same cookie. Each step gets a
  // fresh browser context, so that no request still in flight from an earlier page (which would
  // expire a cookie its server cannot open) touches the next one.
  const signedInAs = async (seal: string, url: string) => {
    const page = await withCookie(browser, seal);
    await page.goto(`${url}/students`);
    const user = page.url().endsWith("/students") ? await page.getByTestId("signed-in-user").textContent() : null;
    await page.context().close();
    return user;
  };
  const sealFrom = async (url: string, user: "alice" | "bob") => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, user, { url });
    await expect(page).toHaveURL(/\/students$/);
    const seal = (await sessionCookie(page.context()))!.value;
    await page.context().close();
    return seal;
  };
  try {
    const oldSeal = await sealFrom(servers.old.url, "alice");
    expect(await signedInAs(oldSeal, servers.old.url)).toBe("alice");
    // The old cookie still opens where the old secret is a fallback...
    expect(await signedInAs(oldSeal, servers.rotated.url)).toBe("alice");
    // ...and not once the fallback is gone, where the dead cookie is also removed.
    const page = await withCookie(browser, oldSeal);
    await page.goto(`${servers.dropped.url}/students`);
    await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
    expect((await page.context().cookies()).map((cookie) => cookie.name)).not.toContain(COOKIE);
    await page.context().close();

    // A new sign-in is sealed with the new secret: it opens without the fallback, not with the old secret alone.
    const newSeal = await sealFrom(servers.rotated.url, "bob");
    expect(await signedInAs(newSeal, servers.dropped.url)).toBe("bob");
    expect(await signedInAs(newSeal, servers.old.url)).toBeNull();
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
});

test("a production server without a secret or users refuses to start, saying what to set", async () => {
  await expect(serverWith({ SESSION_SECRET: "", AUTH_USERS: "" })).rejects.toThrow(
    /SESSION_SECRET is not set[\s\S]*openssl rand -base64 32[\s\S]*AUTH_USERS is not set/,
  );
  await expect(serverWith({ SESSION_SECRET: "too-short" })).rejects.toThrow(/SESSION_SECRET is 9 characters long/);
  await expect(serverWith({ SESSION_LIFETIME: "7x" })).rejects.toThrow(/SESSION_LIFETIME: "7x" is not a duration/);
});
