/**
 * Drives lib/session.ts in a unit test, outside a Next.js request: each test
 * file replaces next/headers and @/lib/config with these (vi.mock), so that
 * cookies() is a browser's jar in memory, headers() what it sends, and
 * sessionConfig() whatever the test set. iron-session and Redis stay real.
 *
 *   vi.mock("next/headers", () => import("../e2e/support/session-harness").then((h) => h.nextHeaders));
 *   vi.mock("next/server", () => import("../e2e/support/session-harness").then((h) => h.nextServer()));
 *   vi.mock("@/lib/config", () => import("../e2e/support/session-harness").then((h) => h.appConfig));
 */
import { vi } from "vitest";
import { clientIp } from "@/lib/http/client-ip";
import type { SessionConfig } from "@/lib/session";

export const SECRET = "secret-a-".padEnd(40, "a");
export const T0 = 1_800_000_000; // a fixed "now", in seconds

type Options = { maxAge?: number; secure?: boolean; httpOnly?: boolean; sameSite?: string; path?: string };

/** A browser's cookies, shaped like `await cookies()`: it keeps what was last set (Max-Age=0 removes one). */
export class Browser {
  readonly values = new Map<string, string>();
  /** The options of the last write of each cookie. */
  readonly written = new Map<string, Options>();
  constructor(cookies: Record<string, string> = {}) {
    for (const [name, value] of Object.entries(cookies)) this.values.set(name, value);
  }
  get(name: string) {
    const value = this.values.get(name);
    return value === undefined ? undefined : { name, value };
  }
  set(name: string, value: string, options: Options) {
    this.written.set(name, options);
    if (options.maxAge === 0 || value === "") this.values.delete(name);
    else this.values.set(name, value);
  }
}

/** The visitor's address for a store under test: clients straight to the server (no proxy in front). */
export const clientAddress = (headers: Headers) => clientIp(headers, 0);

/** A cookie-store configuration with a 60 s idle and a 300 s absolute lifetime. */
export function testConfig(overrides: Partial<SessionConfig> = {}): SessionConfig {
  return {
    secret: SECRET,
    fallbackSecrets: [],
    lifetime: 60,
    absoluteLifetime: 300,
    cookieName: "session",
    secure: false,
    ...overrides,
  };
}

/** The request being served: the browser it comes from, what it sends, and the configuration. */
export const current = { browser: new Browser(), headers: new Headers(), config: testConfig() };

/** Serves the next calls as requests from `browser` (a new one by default), under `config`. */
export function from(browser = new Browser(), config = testConfig(), headers = new Headers()): Browser {
  Object.assign(current, { browser, config, headers });
  return browser;
}

export const nextHeaders = { cookies: async () => current.browser, headers: async () => current.headers };
/** next/server as it is, but connection(), which outside a request would throw: a request is being served. */
export const nextServer = async () => ({
  ...(await vi.importActual<object>("next/server")),
  connection: async () => {},
});
export const appConfig = { sessionConfig: () => current.config };

/** Sets the clock (Date only: iron-session and the session layer read nothing else) to T0 + `seconds`. */
export function at(seconds: number): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime((T0 + seconds) * 1000);
}
