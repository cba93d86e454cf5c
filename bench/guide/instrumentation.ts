/**
 * Nothing to do when the guide app starts. The file is here because without it
 * Turbopack takes the project's own instrumentation.ts, two folders up (it
 * resolves from the project's root, where the lockfile is).
 */
export function register() {}
