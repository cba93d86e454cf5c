/**
 * One value per process, whichever bundle asks: Next.js bundles the
 * middleware and the pages separately, and each bundle gets its own copy of
 * a module, but they run in one Node.js process and share globalThis.
 */
export function processWide<T>(name: string, make: () => T): T {
  const slots = globalThis as unknown as Record<symbol, T | undefined>;
  const key = Symbol.for(`next-sessions.${name}`);
  return (slots[key] ??= make());
}
