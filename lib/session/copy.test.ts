/**
 * The README's "Use it in your app" holds: lib/session.ts and lib/session/,
 * copied as it says into an empty app with its examples (each code block
 * that starts with `// <path>`), type-check there, with the Redis store and
 * without it.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");
const section = readme.slice(
  readme.indexOf("## Use it in your app"),
  readme.indexOf("\n## ", readme.indexOf("## Use it in your app") + 1),
);

/** The section's code blocks that name their file, with the list's indentation taken off. */
function examples(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [, indent, body] of section.matchAll(/^( *)```tsx?\n([\s\S]*?)^\1```$/gm)) {
    const code = body.replace(new RegExp(`^${indent}`, "gm"), "");
    const name = /^\/\/ (\S+)\n/.exec(code)?.[1];
    if (name) files[name] = code;
  }
  return files;
}

function copyInto(app: string, cookieOnly: boolean) {
  const skip = (source: string) =>
    /\.test\.ts$|test-support\.ts$|[/\\]fixtures$/.test(source) ||
    (cookieOnly && /[/\\]stores[/\\]redis(-client)?\.ts$/.test(source));
  cpSync(path.join(root, "lib/session"), path.join(app, "lib/session"), {
    recursive: true,
    filter: (source) => !skip(source),
  });
  let entry = readFileSync(path.join(root, "lib/session.ts"), "utf8");
  if (cookieOnly) {
    const stores = /^const stores: StoreLoaders = .*;$/m;
    expect(entry, "lib/session.ts has the line the README says to change").toMatch(stores);
    entry = entry.replace(stores, "const stores: StoreLoaders = {};");
  }
  writeFileSync(path.join(app, "lib/session.ts"), entry);
  for (const [name, code] of Object.entries(examples())) {
    mkdirSync(path.dirname(path.join(app, name)), { recursive: true });
    writeFileSync(path.join(app, name), code);
  }
  // The examples' one import of the app's own code: a password check.
  writeFileSync(
    path.join(app, "lib/users.ts"),
    "export async function checkPassword(username: string, password: string): Promise<string | null> {\n  return username && password ? null : null;\n}\n",
  );
  symlinkSync(path.join(root, "node_modules"), path.join(app, "node_modules"));
  writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        lib: ["dom", "esnext"],
        strict: true,
        noEmit: true,
        module: "esnext",
        moduleResolution: "bundler",
        resolveJsonModule: true,
        isolatedModules: true,
        jsx: "react-jsx",
        skipLibCheck: true,
        paths: { "@/*": ["./*"] },
      },
      include: ["**/*.ts", "**/*.tsx"],
      exclude: ["node_modules"],
    }),
  );
}

describe("a copy of the session layer in an app of its own", () => {
  it("finds the README's examples: a config, a middleware, a page and an action", () => {
    expect(Object.keys(examples()).sort()).toEqual([
      "app/dashboard/page.tsx",
      "app/login/actions.ts",
      "lib/config.ts",
      "middleware.ts",
    ]);
  });

  it.each([
    ["with the Redis store", false],
    ["cookie store only, without stores/redis*.ts", true],
  ])(
    "type-checks %s",
    (_name, cookieOnly) => {
      const app = mkdtempSync(path.join(tmpdir(), "session-copy-"));
      try {
        copyInto(app, cookieOnly);
        const tsc = path.join(root, "node_modules/typescript/bin/tsc");
        let output = "";
        try {
          execFileSync(process.execPath, [tsc, "-p", app], { encoding: "utf8", stdio: "pipe" });
        } catch (error) {
          output = String((error as { stdout?: string }).stdout ?? error);
        }
        expect(output).toBe("");
      } finally {
        rmSync(app, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
