import { ConfigError, getConfig, type Config } from ".";

/** Below this, Chrome's renewals (2 minutes before expiry, 6 signatures in 9 minutes) outrun its quota. */
const CHROME_MIN_LIFETIME = 4 * 60;

/**
 * The configuration a server starts with, validated: a server with a
 * problem prints what to fix and exits (status 1) before it takes a
 * request. (`next dev` gets a generated secret first, in next.config.ts.)
 */
export function configOrExit(): Config {
  try {
    const config = getConfig();
    const lifetime = config.session.deviceLifetime;
    if (lifetime !== undefined && lifetime < CHROME_MIN_LIFETIME) {
      console.warn(
        `\nDEVICE_BOUND_LIFETIME is ${lifetime} s. Chrome renews a bound cookie once it has 2 minutes or less to live, and signs at most 6 renewals in 9 minutes: below ${CHROME_MIN_LIFETIME / 60} minutes it signs its users out while they browse. Fit for tests only; the default is 10m (docs/device-bound.md).\n`,
      );
    }
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`\n${error.message}\n\nThe server cannot start until this is fixed (see .env.example).\n`);
    process.exit(1);
  }
}
