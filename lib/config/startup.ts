import { ConfigError, getConfig, type Config } from ".";

/**
 * The configuration a server starts with, validated: a server with a
 * problem prints what to fix and exits (status 1) before it takes a
 * request. (`next dev` gets a generated secret first, in next.config.ts.)
 */
export function configOrExit(): Config {
  try {
    return getConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`\n${error.message}\n\nThe server cannot start until this is fixed (see .env.example).\n`);
    process.exit(1);
  }
}
