/**
 * A cookie jar in memory, shaped like `await cookies()`: for tests, scripts
 * and benchmarks that drive the session layer without a Next.js request. It
 * keeps what was last set, as a browser would (Max-Age=0 removes a cookie),
 * and remembers the options of each write.
 */
import type { CookieOptions } from "./cookie";
import type { CookieJar } from "./types";

export type MemoryJar = CookieJar & {
  /** The value a browser would now send, or undefined. */
  value(name: string): string | undefined;
  /** The options of the last write of `name`. */
  options(name: string): CookieOptions | undefined;
  /** A new jar (a new request) holding what this one holds now. */
  next(): MemoryJar;
};

export function memoryJar(initial: Record<string, string> = {}): MemoryJar {
  const values = new Map(Object.entries(initial));
  const written = new Map<string, CookieOptions>();
  return {
    get: (name) => {
      const value = values.get(name);
      return value === undefined ? undefined : { name, value };
    },
    set: (name, value, options) => {
      written.set(name, options as CookieOptions);
      if (options.maxAge === 0 || value === "") values.delete(name);
      else values.set(name, value);
    },
    value: (name) => values.get(name),
    options: (name) => written.get(name),
    next: () => memoryJar(Object.fromEntries(values)),
  };
}
