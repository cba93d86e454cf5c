/**
 * GET /healthz: "the server answers", for a load balancer or an uptime
 * check. Prerendered at build time, so it is also the benchmark's static
 * ceiling: the cheapest response this app's request path (middleware
 * included) can give. It says nothing about Redis; the pages say that.
 */
export const dynamic = "force-static";

export function GET() {
  return new Response("ok\n", { headers: { "content-type": "text/plain; charset=utf-8" } });
}
