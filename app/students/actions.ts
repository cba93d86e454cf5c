"use server";

import { redirect } from "next/navigation";
import { signOut } from "@/lib/session";

/** Ends the session, whoever calls it: signing out needs no proof of being signed in. */
export async function logout(): Promise<void> {
  await signOut();
  redirect("/login?signed-out=1");
}
