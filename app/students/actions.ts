"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { audit } from "@/lib/audit";
import { clientIp } from "@/lib/client-ip";
import { signOut } from "@/lib/session";

/** Ends the session, whoever calls it: signing out needs no proof of being signed in. */
export async function logout(): Promise<void> {
  const ended = await signOut();
  audit("signout", { ...ended, ip: clientIp(await headers()) });
  redirect("/login?signed-out=1");
}
