/**
 * The visitor's address, from X-Forwarded-For, for the login throttle, the
 * limit on new server-side sessions and the audit log: its first hop when a
 * proxy in front sets the header (TRUST_PROXY: Vercel, nginx, a load
 * balancer), otherwise its last, which `npm start`'s own server appended from
 * the socket (scripts/server.mjs). Plain `next start` keeps whatever a client sent.
 */
export function clientIp(headers: Headers, trustProxy: boolean): string {
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  const ip = trustProxy ? hops[0] : hops.at(-1);
  if (!ip) return "unknown";
  // IPv4 clients of a dual-stack socket show as ::ffff:1.2.3.4.
  return (ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip).slice(0, 64);
}
