import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test } from "../support/fixtures";

/**
 * What a deploy ships: `vercel build` copies each function's traced files
 * (`.next/**\/*.nft.json`) into its bundle. None may name the development
 * secret or an .env file. `npm run test:e2e` builds with the secret file
 * present, as in a folder where `npm run dev` has run.
 */
const root = path.resolve(__dirname, "../..");

/** Every .nft.json below `dir`, relative to the root. */
function traceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return traceFiles(relative);
    return entry.name.endsWith(".nft.json") ? [relative] : [];
  });
}

test("no traced file of the build is the development secret or an .env file", () => {
  const secret = path.join(root, ".session-secret.local");
  const built = statSync(path.join(root, ".next/BUILD_ID")).mtimeMs;
  expect(
    statSync(secret, { throwIfNoEntry: false })?.mtimeMs ?? Infinity,
    "the build ran with the secret file present",
  ).toBeLessThan(built);
  const traces = traceFiles(".next");
  expect(traces.length).toBeGreaterThan(5);
  const shipped = traces.flatMap((trace) => {
    const { files } = JSON.parse(readFileSync(path.join(root, trace), "utf8")) as { files: string[] };
    return files.map((file) => path.relative(root, path.resolve(root, path.dirname(trace), file)));
  });
  expect(shipped.filter((file) => file === ".session-secret.local" || /(^|\/)\.env/.test(file))).toEqual([]);
});
