import type { NextConfig } from "next";
import { STATIC_HEADERS } from "./lib/security-headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  async headers() {
    return [{ source: "/:path*", headers: STATIC_HEADERS }];
  },
};

export default nextConfig;
