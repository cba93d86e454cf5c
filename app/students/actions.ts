"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { audit } from "@/lib/audit";
import { clientIp } from "@/lib/client-ip";
import { destroySession, orUnavailable } from "@/lib/session";

/**
 * Ends the session, whoever calls it: signing out needs no proof of being
 * signed in.
 *
 * No Clear-Site-Data header: "cookies" would wipe every cookie of the whole
 * registrable domain (other apps on sibling subdomains too), while the
 * session cookie is expired here precisely; "cache" has nothing to clear,
 * as every page that depends on the session is sent `no-store`. (A server
 * action cannot set response headers either.)
 */
export async function logout(): Promise<void> {
  // Not signed out when the store does not answer (the record could not be deleted, so the cookie is
  // kept too): back to the page, which answers "session service unavailable".
  const { user, tag } = await orUnavailable("/students", destroySession);
  audit("signout", { user, session: tag, ip: clientIp(await headers()) });
  redirect("/login?signed-out=1");
}
