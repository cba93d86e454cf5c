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
function rotate(env: Record<string, string>, args: string[] = []) {
  const result = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "scripts/rotate-secret.ts"), ...args],
    {
      cwd: mkdtempSync(path.join(tmpdir(), "rotate-")),
      env: { PATH: process.env.PATH, NODE_ENV: "test", ...env },
      encoding: "utf8",
    },
  );
  const value = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(result.stdout)?.[1];
  return {
    status: result.status,
    secret: value("SESSION_SECRET")!,
    fallbacks: value("SESSION_SECRET_FALLBACKS") ?? "",
    text: result.stdout + result.stderr,
  };
}

/** The environment of a printed step, to run the next one with. */
const envOf = (step: { secret: string; fallbacks: string }) => ({
  SESSION_SECRET: step.secret,
  SESSION_SECRET_FALLBACKS: step.fallbacks,
});

describe("npm run rotate-secret", () => {
  it("rotates in two steps, so that neighbouring configurations (a rolling deploy) open each other's cookies", async () => {
    const A = { secret: "a".repeat(40), fallbacks: "" };
    const addB = rotate(envOf(A));
    expect(addB.status).toBe(0);
    expect(addB.secret).toBe(A.secret); // still sealing with A
    expect(addB.fallbacks).toMatch(/^[A-Za-z0-9+/=]{44}$/); // B, new
    expect(addB.text).toMatch(/Step 2, once step 1 runs on every instance: npm run rotate-secret -- --promote/);
    const B = rotate(envOf(addB), ["--promote"]);
    expect([B.status, B.secret, B.fallbacks]).toEqual([0, addB.fallbacks, A.secret]);
    const addC = rotate(envOf(B));
    expect(addC.fallbacks.split(",")).toEqual([expect.any(String), A.secret]);
    const C = rotate(envOf(addC), ["--promote"]);
    expect([C.secret, C.fallbacks]).toEqual([addC.fallbacks.split(",")[0], B.secret]);
    expect(C.text).toMatch(/1 older fallback secret is left out/);

    const steps = [A, addB, B, addC, C];
    const opens = async (sealedBy: (typeof steps)[number], openedBy: (typeof steps)[number]) => {
      const browser = from(new Browser(), secrets(sealedBy.secret, sealedBy.fallbacks));
      await signIn("alice", false);
      from(browser, secrets(openedBy.secret, openedBy.fallbacks));
      return (await getSession()) !== null;
    };
    // Each deploy has instances of two neighbouring steps: either one's cookies open on the other.
    for (let n = 1; n < steps.length; n++) {
      expect(await opens(steps[n - 1], steps[n]), `step ${n - 1} → ${n}`).toBe(true);
      expect(await opens(steps[n], steps[n - 1]), `step ${n} → ${n - 1}`).toBe(true);
    }
    // Done in one step, as before, the instances not yet deployed could not open the new cookies.
    expect(await opens(B, A)).toBe(false);
  }, 60_000);

  it("says what to do when there is no secret to rotate, or no fallback to promote", () => {
    const none = rotate({});
    expect(none.secret.length).toBeGreaterThanOrEqual(32);
    expect(none.text).toMatch(/there is nothing to rotate/);
    const early = rotate({ SESSION_SECRET: "a".repeat(40) }, ["--promote"]);
    expect(early.status).toBe(1);
    expect(early.text).toMatch(/no fallback secret to promote.*Run step 1 first: npm run rotate-secret/);
  }, 30_000);
});
