import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseHash, verifyPassword } from "../lib/auth/password";

const root = path.resolve(import.meta.dirname, "..");
const run = (input: string) =>
  spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/hash-password.ts"], {
    cwd: root,
    input,
    encoding: "utf8",
  });

describe("npm run hash-password", () => {
  it("prints only a hash of the piped password (one trailing newline is not part of it)", async () => {
    const result = run("correct horse battery staple\n");
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const hash = parseHash(lines[0]);
    expect(hash).not.toBeNull();
    expect(await verifyPassword("correct horse battery staple", hash!)).toBe(true);
  }, 20_000);

  it("refuses an empty password with a message and a non-zero exit", () => {
    const result = run("");
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/empty/);
  }, 20_000);
});
