/**
 * Runs once when a server starts, before it takes requests: the place to
 * make configuration problems stop the server instead of failing the first
 * visitor. `next build` does not run it, so a build needs no variables.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkConfigAtStartup } = await import("./lib/startup");
    checkConfigAtStartup();
  }
}
