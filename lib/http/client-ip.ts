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
  const hops = forwardedFor(headers);
  const ip = hops[Math.max(0, hops.length - 1 - proxies)];
  if (!ip) return "unknown";
  // IPv4 clients of a dual-stack socket show as ::ffff:1.2.3.4.
  return (/^::ffff:/i.test(ip) && ip.includes(".") ? ip.slice(7) : ip).slice(0, 64);
}

/** The entries of X-Forwarded-For, the nearest last. */
export const forwardedFor = (headers: Headers) =>
  (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);

/**
 * What the login throttle and the limit on new sessions count by: an IPv4
 * address, or an IPv6 address's /64, which one home, phone or server is
 * usually given whole (RFC 6177): counted address by address, one client
 * could try without end. The audit log keeps the whole address.
 */
export function network(ip: string): string {
  const [head, tail, ...more] = ip.toLowerCase().split("::");
  const groups = (part?: string) => (part ? part.split(":") : []);
  const given = [...groups(head), ...groups(tail)];
  // Of the eight groups; an IPv4 address written into the last 32 bits counts as two.
  const missing = 8 - given.length - (given.at(-1)?.includes(".") ? 1 : 0);
  const whole = tail === undefined ? missing === 0 : missing > 0 && more.length === 0;
  const all = [...groups(head), ...Array(Math.max(0, missing)).fill("0"), ...groups(tail)].map((group) =>
    group.replace(/^0+(?=.)/, ""),
  );
  const prefix = all.slice(0, 4);
  if (!ip.includes(":") || !whole || !prefix.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return ip;
  // An IPv4 client written as IPv6 (::ffff:…, in any spelling) or a Teredo one (2001:0::/32) is one client.
  const mapped = all.slice(0, 6).join(":") === "0:0:0:0:0:ffff";
  if (mapped || (prefix[0] === "2001" && prefix[1] === "0")) return ip.toLowerCase();
  return `${prefix.join(":")}::/64`;
}
