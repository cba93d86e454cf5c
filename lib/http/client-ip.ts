/**
 * The client's address, for throttling and the audit log: the session
 * layer's reading of X-Forwarded-For (lib/session/client-address.ts), with
 * this app's TRUST_PROXY. Without TRUST_PROXY the server faces clients
 * directly, and lib/http/node-hooks.ts replaces whatever a client sent with
 * the socket's address, so the header is the real peer.
 */
import { getConfig } from "../config";
import { clientAddress } from "../session";

export function clientIp(headers: Headers, trustProxy = getConfig().trustProxy): string {
  return clientAddress(headers, trustProxy);
}
