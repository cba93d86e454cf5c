import { redirect } from "next/navigation";
import { getSessionOrNull } from "@/lib/session";

export default async function Home() {
  const session = await getSessionOrNull();
  redirect(session?.data.user !== undefined ? "/students" : "/login");
}
