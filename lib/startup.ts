import { ConfigError, getConfig } from "./config";
import { ensureDevSecret } from "./dev-secret";
import { installNodeHooks } from "./node-hooks";

/**
 * Development gets a generated secret; then the whole configuration is
 * validated, and a production server with a problem exits with the message.
 * Last, the HTTP server learns the client's address and Vary: Cookie.
 */
export function checkConfigAtStartup(): void {
  if (process.env.NODE_ENV !== "production") ensureDevSecret();
  try {
    installNodeHooks(getConfig());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`\n${error.message}\n\nThe server cannot start until this is fixed (see .env.example).\n`);
    process.exit(1);
  }
}
