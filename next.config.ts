import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";
import { ensureDevSecret } from "./lib/config/dev-secret";
import { staticHeaders } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Required from node_modules at run time, not bundled: `next dev` compiles the first page in about
  // two thirds of the time (the Redis client alone is a megabyte of code), and a deploy still ships them.
  serverExternalPackages: ["redis", "rate-limiter-flexible", "zod"],
  // What a deploy must never carry in its functions: the development secret (below) and any .env file.
  outputFileTracingExcludes: { "*": [".session-secret.local", ".env*"] },
  async headers() {
    return [
      { source: "/:path*", headers: staticHeaders(process.env.NODE_ENV === "production") },
      // Prerendered, yet a liveness answer must come from the server, not from a cache on the way.
      { source: "/healthz", headers: [{ key: "Cache-Control", value: "no-store" }] },
    ];
  },
};

/**
 * `next dev` without a SESSION_SECRET gets one, made once and kept in
 * .session-secret.local (git-ignored): zero setup. It is made here, where
 * the dev server starts, and not in the app's code, so that no build can
 * trace the file into what it deploys.
 */
export default function config(phase: string): NextConfig {
  if (phase === PHASE_DEVELOPMENT_SERVER) ensureDevSecret();
  return nextConfig;
}
