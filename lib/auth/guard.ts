/** The pages that need a session: /students and everything below it (the middleware sends anyone else to sign in). */
export function isGuarded(pathname: string): boolean {
  return /^\/students(\/|$)/.test(pathname);
}
