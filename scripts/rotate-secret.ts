/**
 * npm run rotate-secret
 *
 * Prints the environment for the next step of a secret rotation: a new
 * SESSION_SECRET, with the current one moved to SESSION_SECRET_FALLBACKS so
 * that existing cookies keep opening. Reads the current values the way
 * Next.js does (the environment, then .env.local, .env.production, .env).
 * Changes nothing itself: set the printed values where the app's
 * environment lives (Vercel, .env.local, …) and redeploy.
 */
import { randomBytes } from "node:crypto";
import { loadEnvConfig } from "@next/env";
import { MIN_SECRET_LENGTH } from "../lib/config";

loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });

const current = process.env.SESSION_SECRET ?? "";
const fallbacks = (process.env.SESSION_SECRET_FALLBACKS ?? "")
  .split(",")
  .map((secret) => secret.trim())
  .filter(Boolean);
const next = randomBytes(32).toString("base64");

const lines = ["# Step 1: deploy with these two values. Cookies made with the current secret keep working."];
lines.push(`SESSION_SECRET=${next}`);
if (current.length >= MIN_SECRET_LENGTH) {
  lines.push(`SESSION_SECRET_FALLBACKS=${current}`);
  const dropped = fallbacks.filter((secret) => secret !== current).length;
  if (dropped > 0) {
    lines.push(
      `# ${dropped} older fallback secret${dropped === 1 ? " is" : "s are"} left out: cookies sealed with ${dropped === 1 ? "it" : "them"} stop opening.`,
      "# Keep them in the list only if SESSION_ABSOLUTE_LIFETIME has not passed since they were replaced.",
    );
  }
  lines.push(
    "# Step 2: once SESSION_ABSOLUTE_LIFETIME has passed (every cookie of the old secret has expired),",
    "# remove the old secret: SESSION_SECRET_FALLBACKS=",
  );
} else {
  lines.push(
    "# No current SESSION_SECRET was found (environment, .env.local, .env), so there is nothing to keep as a fallback.",
  );
}
console.log(lines.join("\n"));
