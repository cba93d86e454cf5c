import { ConfigError, getConfig, isProduction, type Config } from ".";
import { ensureDevSecret } from "./dev-secret";

/**
 * The configuration a server starts with: development first gets a
 * generated secret; then everything is validated, and a server with a
 * problem prints what to fix and exits (status 1) before it takes a request.
 */
export function configOrExit(): Config {
  if (!isProduction()) ensureDevSecret();
  try {
    return getConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`\n${error.message}\n\nThe server cannot start until this is fixed (see .env.example).\n`);
    process.exit(1);
  }
}
