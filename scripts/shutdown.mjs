/**
 * How `npm start` stops (scripts/start.mjs, scripts/server.mjs), from
 * SHUTDOWN_DELAY and SHUTDOWN_TIMEOUT. On SIGTERM, at once: /healthz answers
 * 503 and every answer closes its connection. For SHUTDOWN_DELAY (default
 * 2 s) the server still takes new connections, so that a load balancer that
 * checks /healthz sees the 503 and stops sending; then it takes none,
 * finishes the requests in flight, and exits as soon as the last is answered,
 * SHUTDOWN_TIMEOUT (default 10 s) after the signal at the latest, closing
 * whatever is left. SIGINT (Ctrl-C) skips the delay.
 */
const DEFAULTS = { SHUTDOWN_DELAY: 2, SHUTDOWN_TIMEOUT: 10 };

/**
 * @param {Record<string, string | undefined>} env
 * @returns {{ delayMs: number, timeoutMs: number } | { problem: string }}
 */
export function shutdownSettings(env = process.env) {
  const seconds = {};
  for (const [name, fallback] of Object.entries(DEFAULTS)) {
    const raw = env[name]?.trim() || String(fallback);
    const match = /^(\d{1,4})(s|m)?$/.exec(raw);
    if (!match) {
      return {
        problem: `${name} must be a number of seconds, or of minutes with "m" (got "${env[name]}"), e.g. ${name}=${fallback}s.`,
      };
    }
    seconds[name] = Number(match[1]) * (match[2] === "m" ? 60 : 1);
  }
  if (seconds.SHUTDOWN_DELAY >= seconds.SHUTDOWN_TIMEOUT) {
    return {
      problem: `SHUTDOWN_DELAY (${seconds.SHUTDOWN_DELAY} s) must be shorter than SHUTDOWN_TIMEOUT (${seconds.SHUTDOWN_TIMEOUT} s), which bounds the whole stop, e.g. SHUTDOWN_DELAY=2s SHUTDOWN_TIMEOUT=10s.`,
    };
  }
  return { delayMs: seconds.SHUTDOWN_DELAY * 1000, timeoutMs: seconds.SHUTDOWN_TIMEOUT * 1000 };
}
