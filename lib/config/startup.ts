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
    const { deviceLifetime, lifetime } = config.session;
    // A bound cookie lives the shorter of the two (it never outlives the session).
    if (deviceLifetime !== undefined && Math.min(deviceLifetime, lifetime) < CHROME_MIN_LIFETIME) {
      console.warn(
        `\nDEVICE_BOUND_LIFETIME ${deviceLifetime} s, SESSION_LIFETIME ${lifetime} s: a bound cookie lives the shorter. Chrome renews one once it has 2 minutes or less to live, and signs at most 6 renewals in 9 minutes: below ${CHROME_MIN_LIFETIME / 60} minutes it signs its users out while they browse. Fit for tests only (docs/device-bound.md), or set DEVICE_BOUND_SESSIONS=false.\n`,
      );
    }
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`\n${error.message}\n\nThe server cannot start until this is fixed (see .env.example).\n`);
    process.exit(1);
  }
}
