/**
 * Runs once when a server starts, before it takes requests: the place to
 * make configuration problems stop the server instead of failing the first
 * visitor, and to adjust Node's HTTP server. `next build` does not run it,
 * so a build needs no variables.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const [{ configOrExit }, { installNodeHooks }] = await Promise.all([
      import("./lib/config/startup"),
      import("./lib/http/node-hooks"),
    ]);
    installNodeHooks(configOrExit());
  }
}
