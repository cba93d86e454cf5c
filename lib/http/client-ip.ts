/**
 * The client's address, for throttling and the audit log.
 *
 * Next.js fills X-Forwarded-For with the socket's address only when the
 * request has none, so a client can put anything there. Two cases:
 * - TRUST_PROXY=true (behind Vercel, nginx, a load balancer that sets the
 *   header): the first hop is the client as the proxy saw it.
 * - otherwise the server faces clients directly, and instrumentation.ts
 *   replaces whatever a client sent with the socket's address (see
 *   trustSocketAddress), so the header is the real peer.
 */
import { getConfig } from "../config";

export function clientIp(headers: Headers, trustProxy = getConfig().trustProxy): string {
  const forwarded = headers.get("x-forwarded-for") ?? "";
  const hops = forwarded
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  const ip = trustProxy ? hops[0] : hops[hops.length - 1];
  if (!ip) return "unknown";
  // IPv4 clients of a dual-stack socket show as ::ffff:1.2.3.4.
  return (ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip).slice(0, 64);
}
