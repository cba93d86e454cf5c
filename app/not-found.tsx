import Link from "next/link";
import { link } from "@/app/ui/styles";

export default function NotFound() {
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <Link href="/" className={link}>
          Go to the start page
        </Link>
      </p>
    </div>
  );
}
