import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Browser, from, testConfig } from "../e2e/support/session-harness";
import { getSession, signIn } from "../lib/session";

vi.mock("next/headers", () => import("../e2e/support/session-harness").then((harness) => harness.nextHeaders));
vi.mock("next/server", () => import("../e2e/support/session-harness").then((harness) => harness.nextServer()));
vi.mock("@/lib/config", () => import("../e2e/support/session-harness").then((harness) => harness.appConfig));

/** The session settings of SESSION_SECRET and SESSION_SECRET_FALLBACKS as printed. */
const secrets = (secret: string, fallbacks = "") =>
  testConfig({ secret, fallbackSecrets: fallbacks.split(",").filter(Boolean) });

const root = path.resolve(import.meta.dirname, "..");

/** Runs the script in an empty folder (no .env files) with the given environment; returns the printed variables. */
function rotate(env: Record<string, string>) {
  const result = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "scripts/rotate-secret.ts")],
    {
      cwd: mkdtempSync(path.join(tmpdir(), "rotate-")),
      env: { PATH: process.env.PATH, NODE_ENV: "test", ...env },
      encoding: "utf8",
    },
  );
  expect(result.status, result.stderr).toBe(0);
  const value = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(result.stdout)?.[1];
  return { secret: value("SESSION_SECRET")!, fallbacks: value("SESSION_SECRET_FALLBACKS"), text: result.stdout };
}

describe("npm run rotate-secret", () => {
  it("rotates twice, A -> B (A as fallback) -> C (B as fallback), and the cookies follow", async () => {
    const A = "a".repeat(40);
    const B = rotate({ SESSION_SECRET: A });
    expect(B.secret.length).toBeGreaterThanOrEqual(32);
    expect(B.fallbacks).toBe(A);
    const C = rotate({ SESSION_SECRET: B.secret, SESSION_SECRET_FALLBACKS: B.fallbacks! });
    expect(C.fallbacks).toBe(B.secret);
    expect(C.text).toMatch(/1 older fallback secret is left out/);

    const steps = { A: secrets(A), B: secrets(B.secret, B.fallbacks), C: secrets(C.secret, C.fallbacks) };
    const opens: Record<string, string> = {};
    for (const [made, config] of Object.entries(steps)) {
      const browser = from(new Browser(), config);
      await signIn("alice", false);
      opens[made] = "";
      for (const [step, later] of Object.entries(steps)) {
        from(browser, later);
        if ((await getSession()) !== null) opens[made] += step;
      }
    }
    // A cookie made at a step opens at that step and the next one, not after.
    expect(opens).toEqual({ A: "AB", B: "BC", C: "C" });
  }, 30_000);

  it("says so when there is no current secret to keep", () => {
    const result = rotate({});
    expect(result.secret.length).toBeGreaterThanOrEqual(32);
    expect(result.fallbacks).toBeUndefined();
    expect(result.text).toMatch(/nothing to keep as a fallback/);
  }, 30_000);
});
