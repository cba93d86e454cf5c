import type { NextConfig } from "next";
import { STATIC_HEADERS } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  async headers() {
    return [
      { source: "/:path*", headers: STATIC_HEADERS },
      // Prerendered, yet a liveness answer must come from the server, not from a cache on the way.
      { source: "/healthz", headers: [{ key: "Cache-Control", value: "no-store" }] },
    ];
  },
};

export default nextConfig;
