/**
 * GET /healthz: "the server answers", for a load balancer or an uptime
 * check. Prerendered at build time and outside the middleware (no session,
 * no page), so it is also the benchmark's static ceiling: the cheapest
 * route Next.js serves here. It says nothing about Redis; the pages say
 * that. `Cache-Control: no-store` (next.config.ts): an answer from a cache
 * on the way would not say that the server is up.
 */
export const dynamic = "force-static";

export function GET() {
  return new Response("ok\n", { headers: { "content-type": "text/plain; charset=utf-8" } });
}
