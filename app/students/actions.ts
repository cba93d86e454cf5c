"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { audit } from "@/lib/audit";
import { clientIp } from "@/lib/client-ip";
import { signOut, StoreUnavailableError } from "@/lib/session";
import { markStoreUnavailable } from "@/lib/store-health";

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
  let ended: Awaited<ReturnType<typeof signOut>> | null;
  try {
    ended = await signOut();
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    // Not signed out (the record could not be deleted, so the cookie is kept
    // too): back to the page, which answers "session service unavailable".
    markStoreUnavailable();
    ended = null;
  }
  if (!ended) redirect("/students");
  audit("signout", { ...ended, ip: clientIp(await headers()) });
  redirect("/login?signed-out=1");
}
