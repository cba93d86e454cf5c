/**
 * Build output stays out of the repository and out of the checks: after a
 * local `next build` or `vercel build`, `git status`, `npm run lint` and
 * Prettier see none of it (1,903 lint problems in .vercel/ otherwise).
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { ESLint } from "eslint";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const OUTPUT = [".vercel/output/functions/index.func/page.js", ".vercel/project.json", ".next/server/app/page.js"];

describe("build output", () => {
  it.each(OUTPUT)(
    "%s is ignored by git, ESLint and Prettier",
    async (file) => {
      expect(execFileSync("git", ["check-ignore", file], { cwd: root, encoding: "utf8" }).trim()).toBe(file);
      expect(await new ESLint({ cwd: root }).isPathIgnored(path.join(root, file))).toBe(true);
      const info = await prettier.getFileInfo(path.join(root, file), {
        ignorePath: path.join(root, ".prettierignore"),
      });
      expect(info.ignored).toBe(true);
    },
    30_000,
  ); // the first ESLint loads the flat config and eslint-config-next: seconds on a busy machine
});
