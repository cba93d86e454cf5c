/**
 * GET /unavailable?next=<path>: "Session service unavailable, try again",
 * 503 with Retry-After. A page whose session store does not answer sends the
 * visitor here (lib/auth/dal.ts): the App Router cannot answer a page with a
 * 503, and this answer depends on nothing but the request, so it comes at
 * once wherever the page ran, without a loop.
 */
import type { NextRequest } from "next/server";
import { safeNext } from "@/lib/auth/safe-next";
import { requestLocale, unavailableResponse } from "@/lib/http/error-pages";

export function GET(request: NextRequest) {
  const next = request.nextUrl.searchParams.get("next");
  return unavailableResponse(next === "/login" ? next : safeNext(next), requestLocale(request));
}

/**
 * A form sent without JavaScript while the store is down: the page rendered after the action redirects
 * with a 307, which keeps the method, so the browser posts the form here. It gets the same page.
 */
export const POST = GET;
