import { redirect } from "next/navigation";
import { getPageSession, signedInUser } from "@/lib/auth/dal";

export default async function Home() {
  redirect(signedInUser(await getPageSession("/")) ? "/students" : "/login");
}
