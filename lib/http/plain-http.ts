/**
 * Whether a request reached a production server over plain http at an
 * address other than this machine's own (http://192.168.1.20:3000, say):
 * browsers keep a Secure (`__Host-`) cookie only from https or from
 * localhost, so a sign-in there would not stick, with no word said. The
 * login page warns instead (see README, "Run it in production").
 */
const LOCAL = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|[^:]+\.localhost)(:\d+)?$/i;

/** The host a visitor uses over plain http, when it is not this machine's own; otherwise null. */
export function plainHttpElsewhere(headers: Headers): string | null {
  const proto = (headers.get("x-forwarded-proto") ?? "http").split(",")[0].trim().toLowerCase();
  const host = headers.get("host") ?? "";
  if (proto !== "http" || !host || LOCAL.test(host)) return null;
  return host.slice(0, 255);
}
