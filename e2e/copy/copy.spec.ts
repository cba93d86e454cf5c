import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient } from "redis";
import { expect, test, type Page } from "@playwright/test";
import { DeviceBrowser } from "../support/dbsc-client";
import { freePort } from "../support/free-port";
import { startProcess } from "../support/server";

/**
 * "Use it in your app" (docs/use-it.md, which the README's section of that
 * name points to), lived the way a user lives it: a new app from
 * create-next-app (its defaults: Cache Components on) with its own
 * node_modules, the page's install commands as written, exactly the files
 * its list names, its examples; then `next build` and `next start`, and a
 * sign-in and sign-out in Chromium, with Cache Components on and off. First
 * the cookie sessions alone, then the Redis store added on top, then
 * device-bound sessions (a scripted DBSC browser registers and renews).
 */
test.describe.configure({ mode: "serial" });

const root = path.resolve(__dirname, "../..");
const section = readFileSync(path.join(root, "docs/use-it.md"), "utf8");

/** The section's code blocks: the bash ones in order, and the others by the file their first line names. */
function blocks() {
  const commands: string[] = [];
  const files: Record<string, string> = {};
  for (const [, indent, language, body] of section.matchAll(/^( *)```(\w+)\n([\s\S]*?)^\1```$/gm)) {
    const code = body.replace(new RegExp(`^${indent}`, "gm"), "");
    if (language === "bash") commands.push(code.trim());
    else files[/^\/\/ (.+)\n/.exec(code)![1]] = code;
  }
  return { commands, files };
}

/** The files the section's list names ("- `lib/….ts`: what it is for"), in this repository. */
const named = [...section.matchAll(/^- `([^`]+\.ts)`: /gm)].map(([, file]) => file);

const SECRET = "copy-test-secret-0123456789abcdefghijklmnopqrstuvwxyz";
const PASSWORD = "a password for the copy test";
const env = {
  ...process.env,
  npm_config_prefer_offline: "true", // npm's cache where it has the package, the registry otherwise
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  NEXT_TELEMETRY_DISABLED: "1",
};

let app = "";
/** create-next-app's next.config.ts: Cache Components on. */
let defaultConfig = "";
const run = (command: string, args: string[], cwd = app) =>
  execFileSync(command, args, { cwd, env, stdio: "pipe", encoding: "utf8", timeout: 300_000 });
const lines = (file: string) => readFileSync(path.join(root, file), "utf8").split("\n").length - 1;

/** Builds the app as it stands (Cache Components on or off), starts it, and signs in and out in the browser. */
async function signInAndOut(
  page: Page,
  { cacheComponents, store, dbsc = false }: { cacheComponents: boolean; store: string; dbsc?: boolean },
) {
  writeFileSync(
    path.join(app, "next.config.ts"),
    cacheComponents ? defaultConfig : defaultConfig.replace(/^ *(cacheComponents|partialPrefetching): true,\n/gm, ""),
  );
  expect(readFileSync(path.join(app, "next.config.ts"), "utf8").includes("cacheComponents: true")).toBe(
    cacheComponents,
  );
  const built = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
    cwd: app,
    env,
    encoding: "utf8",
    timeout: 300_000,
  });
  expect(built.status, built.stdout + built.stderr).toBe(0);
  // The page's proxy.ts, its only one: Next 16 lists it as the Proxy, and says nothing of a deprecated
  // "middleware" file convention (which it does for a middleware.ts).
  expect(built.stdout).toMatch(/ƒ Proxy/);
  expect(built.stdout + built.stderr).not.toMatch(/"middleware".*deprecated/i);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startProcess(
    "the copy's next start",
    process.execPath,
    ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      url,
      cwd: app,
      env: { ...env, NODE_ENV: "production", SESSION_SECRET: SECRET, REDIS_URL: process.env.TEST_REDIS_URL },
    },
  );
  try {
    await page.goto(`${url}/dashboard`);
    await expect(page).toHaveURL(/\/login$/);
    await page.getByLabel("Username").fill("alice");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText("Wrong username or password.")).toBeVisible();
    await page.getByLabel("Username").fill("alice");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Keep me signed in").check();
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText("Signed in as alice")).toBeVisible();
    const cookie = (await page.context().cookies()).find((entry) => entry.name === "__Host-session");
    expect(cookie, `${store}: the session cookie`).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax" });
    expect(cookie!.expires, "Keep me signed in: a cookie that outlives the browser").toBeGreaterThan(Date.now() / 1000);
    if (store === "redis") expect(await sessionsInRedis()).toBe(1);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    if (store === "redis") expect(await sessionsInRedis()).toBe(0);
    await page.goto(`${url}/dashboard`);
    await expect(page).toHaveURL(/\/login$/);
    if (dbsc) {
      // A browser with DBSC (e2e/support/dbsc-client.ts): the offer after sign-in, registration, a renewal.
      const browser = new DeviceBrowser(url);
      await browser.signIn("alice", PASSWORD, {}, "/dashboard");
      expect(browser.offer, "the proxy hands over the offer").toBeDefined();
      expect((await browser.register()).status).toBe(200);
      expect((await browser.refresh()).status).toBe(200);
      expect(await browser.signedIn("/dashboard")).toBe(true);
    }
    expect(server.output()).not.toMatch(/⨯|Error:/);
  } catch (error) {
    console.log(
      `the copy's server (${store}, Cache Components ${cacheComponents ? "on" : "off"}):\n${server.output()}`,
    );
    throw error;
  } finally {
    await server.stop();
    await page.context().clearCookies();
  }
}

/** The copy's sessions in the suite's Redis (the page's configuration uses the default prefix). */
async function sessionsInRedis(): Promise<number> {
  const client = createClient({ url: process.env.TEST_REDIS_URL });
  await client.connect();
  try {
    return (await client.keys("session:s:*")).length;
  } finally {
    client.destroy();
  }
}

test.beforeAll(async () => {
  test.setTimeout(600_000);
  const parent = mkdtempSync(path.join(tmpdir(), "session-copy-"));
  run(
    "npx",
    [
      "--yes",
      "create-next-app@16.4",
      "app",
      "--yes",
      "--use-npm",
      "--skip-install",
      "--disable-git",
      "--no-agent-feedback",
    ],
    parent,
  );
  app = path.join(parent, "app");
  defaultConfig = readFileSync(path.join(app, "next.config.ts"), "utf8");
  run("npm", ["install"]);
  // The template's layout loads its fonts from Google Fonts, which a machine without the internet cannot reach.
  const layout = path.join(app, "app/layout.tsx");
  writeFileSync(
    layout,
    readFileSync(layout, "utf8")
      .replace(/^import \{ Geist, Geist_Mono \} from "next\/font\/google";\n/m, "")
      .replace(/^const geist(Sans|Mono) = Geist(_Mono)?\(\{[^}]*\}\);\n\n/gm, "")
      .replace("${geistSans.variable} ${geistMono.variable} ", ""),
  );
  expect(readFileSync(layout, "utf8")).not.toMatch(/geist/i);
  // The page's examples import a password check of the app's own.
  mkdirSync(path.join(app, "lib"), { recursive: true });
  writeFileSync(
    path.join(app, "lib/users.ts"),
    `export async function checkPassword(username: string, password: string): Promise<string | null> {\n  return username === "alice" && password === ${JSON.stringify(PASSWORD)} ? username : null;\n}\n`,
  );
});

test.afterAll(() => {
  if (app) rmSync(path.dirname(app), { recursive: true, force: true });
});

test("cookie sessions: lib/session.ts and its two helpers, Cache Components on and off", async ({ page }) => {
  test.setTimeout(600_000);
  const { commands, files } = blocks();
  const copied = named.filter(
    (file) => !file.startsWith("lib/session/redis/") && !file.startsWith("lib/session/device-"),
  );
  expect(copied).toEqual(["lib/session.ts", "lib/session/types.ts", "lib/session/wire.ts"]);
  for (const command of commands[0].split("\n")) run("sh", ["-c", command]);
  for (const file of copied) {
    mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
    cpSync(path.join(root, file), path.join(app, file));
  }
  for (const [name, code] of Object.entries(files)) {
    if (!name.includes(" ")) {
      mkdirSync(path.dirname(path.join(app, name)), { recursive: true });
      writeFileSync(path.join(app, name), code);
    }
  }
  console.log(
    `copy: cookie sessions, ${copied.length} files, ${copied.reduce((sum, file) => sum + lines(file), 0)} lines`,
  );
  await signInAndOut(page, { cacheComponents: true, store: "cookie" });
  await signInAndOut(page, { cacheComponents: false, store: "cookie" });
});

test("the Redis store added on top: lib/session/redis/, lib/session.ts unchanged", async ({ page }) => {
  test.setTimeout(600_000);
  const { commands, files } = blocks();
  const added = named.filter((file) => file.startsWith("lib/session/redis/"));
  for (const command of commands[1].split("\n")) run("sh", ["-c", command]);
  for (const file of added) {
    mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
    cpSync(path.join(root, file), path.join(app, file));
  }
  // As the page says: the store made once in lib/config.ts, and `store,` in what sessionConfig() returns.
  const [imports, made] = files["lib/config.ts (Redis)"]
    .replace(/^\/\/.*\n/, "")
    .split("\n\n")
    .map((part) => part.trim());
  const config = files["lib/config.ts"].replace(/^\/\/.*\n/, "");
  const body = config.indexOf("\n\n");
  writeFileSync(
    path.join(app, "lib/config.ts"),
    `${config.slice(0, body)}\n${imports}\n\n${made}\n${config.slice(body).replace(/^( *)secure: (.*)$/m, "$1secure: $2\n$1store,")}`,
  );
  expect(readFileSync(path.join(app, "lib/session.ts"), "utf8")).toBe(
    readFileSync(path.join(root, "lib/session.ts"), "utf8"),
  );
  const all = ["lib/session.ts", "lib/session/types.ts", "lib/session/wire.ts", ...added];
  console.log(
    `copy: with the Redis store, ${all.length} files, ${all.reduce((sum, file) => sum + lines(file), 0)} lines`,
  );
  // Cache Components on, create-next-app's default (the pages are the cookie test's, which builds them both ways).
  await signInAndOut(page, { cacheComponents: true, store: "redis" });
});

test("device-bound sessions added on top: two files, jose, two routes, a line in the action and the proxy", async ({
  page,
}) => {
  test.setTimeout(600_000);
  const { commands, files } = blocks();
  const added = named.filter((file) => file.startsWith("lib/session/device-"));
  expect(added).toEqual(["lib/session/device-bound.ts", "lib/session/device-offer.ts"]);
  for (const command of commands[2].split("\n")) run("sh", ["-c", command]);
  for (const file of added) cpSync(path.join(root, file), path.join(app, file));
  // The step's blocks are named "<file> (DBSC)", the login action's with what to do after it.
  const block = (name: string) => files[Object.keys(files).find((key) => key.startsWith(`${name} (DBSC)`))!];
  for (const route of ["app/auth/dbsc/register/route.ts", "app/auth/dbsc/refresh/route.ts"]) {
    mkdirSync(path.dirname(path.join(app, route)), { recursive: true });
    writeFileSync(path.join(app, route), block(route));
  }
  writeFileSync(path.join(app, "proxy.ts"), block("proxy.ts"));
  // As the page says: the offer after signIn in the login action, and deviceLifetime in sessionConfig().
  const [signInLine, offerLine] = block("app/login/actions.ts")
    .replace(/^\/\/.*\n/, "")
    .trim()
    .split("\n");
  const actions = path.join(app, "app/login/actions.ts");
  const action = readFileSync(actions, "utf8");
  const importOffer = /\/\/ (import .*;)$/.exec(offerLine)![1];
  writeFileSync(
    actions,
    action
      .replace(/^( *)await signIn\(user, form\.get\("remember"\) === "on"\);$/m, `$1${signInLine}\n$1${offerLine}`)
      .replace(/^(import \{ destroySession, signIn \} from "@\/lib\/session";)$/m, `$1\n${importOffer}`),
  );
  expect(readFileSync(actions, "utf8")).toContain("await offerBinding(user, createdAt);");
  const config = path.join(app, "lib/config.ts");
  writeFileSync(config, readFileSync(config, "utf8").replace(/^( *)secure: (.*)$/m, "$&\n$1deviceLifetime: 10 * 60,"));
  expect(readFileSync(path.join(app, "lib/session.ts"), "utf8")).toBe(
    readFileSync(path.join(root, "lib/session.ts"), "utf8"),
  );
  await signInAndOut(page, { cacheComponents: true, store: "redis", dbsc: true });
});
