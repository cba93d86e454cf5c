import { COOKIE, expect, serverWith, sessionCookie, signIn, test, TEST_SECRET } from "./fixtures";

test("a secret can be rotated: old cookies open while the old secret is a fallback, and not after", async ({
  page,
}) => {
  const older = TEST_SECRET;
  const newer = "rotated-secret-9876543210-abcdefghijklmnopqrstuvwxyz";
  const servers = {
    old: await serverWith({ SESSION_SECRET: older }),
    rotated: await serverWith({ SESSION_SECRET: newer, SESSION_SECRET_FALLBACKS: older }),
    dropped: await serverWith({ SESSION_SECRET: newer }),
  };
  try {
    // Cookies are per host, not per port: all three servers see the same cookie.
    await signIn(page, "alice", { url: servers.old.url });
    await expect(page).toHaveURL(/\/students$/);
    const oldSeal = (await sessionCookie(page.context()))!.value;

    await page.goto(`${servers.rotated.url}/students`);
    await expect(page.getByTestId("signed-in-user")).toHaveText("alice");

    await page.goto(`${servers.dropped.url}/students`);
    await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
    // ...and the dead cookie was removed.
    expect((await page.context().cookies()).map((cookie) => cookie.name)).not.toContain(COOKIE);

    // The old cookie still opens where the old secret is a fallback.
    await page.context().addCookies([{ name: COOKIE, value: oldSeal, domain: "127.0.0.1", path: "/", secure: true }]);
    await page.goto(`${servers.rotated.url}/students`);
    await expect(page.getByTestId("signed-in-user")).toHaveText("alice");

    // A new sign-in is sealed with the new secret: it opens without the fallback, not with the old secret alone.
    await page.context().clearCookies();
    await signIn(page, "bob", { url: servers.rotated.url });
    await page.goto(`${servers.dropped.url}/students`);
    await expect(page.getByTestId("signed-in-user")).toHaveText("bob");
    await page.goto(`${servers.old.url}/students`);
    await expect(page).toHaveURL(/\/login\?next=%2Fstudents$/);
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
