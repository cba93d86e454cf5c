/**
 * npm run rotate-secret [-- --promote]
 *
 * Prints the environment for one step of a secret rotation that signs nobody
 * out, even in a rolling deploy, where instances of the old configuration and
 * of the new one serve side by side and a visitor moves between them:
 *
 * 1. (no option) a new secret joins SESSION_SECRET_FALLBACKS, first in the
 *    list; cookies are still sealed with the current secret. Once this runs
 *    everywhere, every instance opens cookies of either secret.
 * 2. (--promote) the first fallback becomes SESSION_SECRET, and the current
 *    secret a fallback: new cookies are sealed with the new secret, which the
 *    instances still on step 1 open too.
 *
 * Reads the current values the way Next.js does (the environment, then
 * .env.local, .env.production, .env). Changes nothing itself: set the printed
 * values where the app's environment lives (Vercel, .env.local, …) and deploy.
 */
import { randomBytes } from "node:crypto";
import { loadEnvConfig } from "@next/env";
import { MIN_SECRET_LENGTH } from "../lib/config";

loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });

const current = (process.env.SESSION_SECRET ?? "").trim(); // as the app reads it (lib/config): a newline from a file is no part of it
const fallbacks = (process.env.SESSION_SECRET_FALLBACKS ?? "")
  .split(",")
  .map((secret) => secret.trim())
  .filter((secret) => secret && secret !== current);
const promote = process.argv.includes("--promote");

function print(lines: string[]): void {
  console.log(lines.join("\n"));
}

if (current.length < MIN_SECRET_LENGTH) {
  print([
    "# No current SESSION_SECRET of 32 characters or more was found (environment, .env.local, .env):",
    "# there is nothing to rotate. Set this one and deploy:",
    `SESSION_SECRET=${randomBytes(32).toString("base64")}`,
  ]);
  process.exitCode = promote ? 1 : 0;
} else if (!promote) {
  print([
    "# Step 1 of 2: deploy these everywhere. Cookies are still sealed with the current secret,",
    "# and every instance learns to open the new one (the first fallback).",
    `SESSION_SECRET=${current}`,
    `SESSION_SECRET_FALLBACKS=${[randomBytes(32).toString("base64"), ...fallbacks].join(",")}`,
    "# Step 2, once step 1 runs on every instance: npm run rotate-secret -- --promote",
  ]);
} else if (fallbacks.length === 0) {
  console.error(
    "There is no fallback secret to promote: SESSION_SECRET_FALLBACKS is empty. Run step 1 first: npm run rotate-secret",
  );
  process.exitCode = 1;
} else {
  const [next, ...older] = fallbacks;
  const lines = [
    "# Step 2 of 2: deploy these everywhere. New cookies are sealed with the new secret; the old one",
    "# stays a fallback, so that cookies it sealed keep opening.",
    `SESSION_SECRET=${next}`,
    `SESSION_SECRET_FALLBACKS=${current}`,
  ];
  if (older.length > 0) {
    lines.push(
      `# ${older.length} older fallback secret${older.length === 1 ? " is" : "s are"} left out: cookies sealed with ${older.length === 1 ? "it" : "them"} stop opening.`,
      "# Keep them in the list only if SESSION_ABSOLUTE_LIFETIME has not passed since they were replaced.",
    );
  }
  lines.push(
    "# Later, once SESSION_ABSOLUTE_LIFETIME has passed (every cookie of the old secret has expired),",
    "# remove the old secret: SESSION_SECRET_FALLBACKS=",
  );
  print(lines);
}
