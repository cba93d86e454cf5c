/**
 * Runs once when a server starts, before it takes requests: a configuration
 * problem stops the server with a message, instead of failing the first
 * visitor. `next build` does not run it, so a build needs no variables.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { configOrExit } = await import("./lib/config/startup");
    configOrExit();
  }
}
