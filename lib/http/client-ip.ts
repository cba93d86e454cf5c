/**
 * The visitor's address, for the login throttle, the limit on new server-side
 * sessions and the audit log: the one notion of it in this app.
 *
 * X-Forwarded-For lists the addresses a request came through. Its last entry is
 * written by whatever hands the request to the app: `npm start`'s own server
 * appends the socket's address (scripts/server.mjs), Vercel's edge overwrites
 * the header with the client's. Each proxy in front of that adds the address
 * it got the request from, and anything before those is the client's own
 * writing. So with `proxies` proxies in front (TRUST_PROXY), the client is that
 * many entries from the end, and a forged entry can never take its place.
 * A list shorter than that (a request that came through fewer proxies) gives
 * its first entry, the furthest one a proxy wrote.
 */
export function clientIp(headers: Headers, proxies: number): string {
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  const ip = hops[Math.max(0, hops.length - 1 - proxies)];
  if (!ip) return "unknown";
  // IPv4 clients of a dual-stack socket show as ::ffff:1.2.3.4.
  return (ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip).slice(0, 64);
}
