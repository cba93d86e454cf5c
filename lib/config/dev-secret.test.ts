import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { DEV_SECRET_FILE, ensureDevSecret } from "./dev-secret";

describe("ensureDevSecret", () => {
  it("makes a secret once, keeps it in a private file, and reuses it", () => {
    const dir = mkdtempSync(join(tmpdir(), "dev-secret-"));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const first: Record<string, string | undefined> = {};
    ensureDevSecret(first, dir);
    expect(first.SESSION_SECRET!.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dir, DEV_SECRET_FILE), "utf8").trim()).toBe(first.SESSION_SECRET);
    expect(statSync(join(dir, DEV_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(log).toHaveBeenCalledTimes(1);

    const second: Record<string, string | undefined> = {};
    ensureDevSecret(second, dir);
    expect(second.SESSION_SECRET).toBe(first.SESSION_SECRET);
    expect(log).toHaveBeenCalledTimes(1); // said once, not on every start
    log.mockRestore();
  });

  it("leaves a configured secret alone and replaces a short kept one", () => {
    const dir = mkdtempSync(join(tmpdir(), "dev-secret-"));
    const env: Record<string, string | undefined> = { SESSION_SECRET: "x".repeat(40) };
    ensureDevSecret(env, dir);
    expect(env.SESSION_SECRET).toBe("x".repeat(40));

    writeFileSync(join(dir, DEV_SECRET_FILE), "short\n");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const fresh: Record<string, string | undefined> = {};
    ensureDevSecret(fresh, dir);
    expect(fresh.SESSION_SECRET!.length).toBeGreaterThanOrEqual(32);
    log.mockRestore();
  });
});
