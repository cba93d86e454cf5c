/**
 * The visitor's address, from X-Forwarded-For: the first hop when a proxy
 * in front sets the header (`trustProxy`: Vercel, nginx, a load balancer),
 * otherwise the last one, which the server itself wrote (Next.js keeps
 * whatever a client sent, so this app's Node hooks put the socket's address
 * there; see lib/http/node-hooks.ts). For the per-address bounds.
 */
export function clientAddress(headers: Headers, trustProxy = false): string {
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  const ip = trustProxy ? hops[0] : hops[hops.length - 1];
  if (!ip) return "unknown";
  // IPv4 clients of a dual-stack socket show as ::ffff:1.2.3.4.
  return (ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip).slice(0, 64);
}
