/**
 * The data-access layer for the session (the Next.js auth guide's
 * verifySession): the session layer says whether a cookie holds a live
 * session; this adds the app's own rule, that its user still exists, and
 * reads the session once per render (React cache()).
 */
import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import { loginPath, unavailablePath } from "@/lib/auth/safe-next";
import { userExists } from "@/lib/auth/users";
import { provideRedisStore } from "@/lib/config";
import { getSession, type Session } from "@/lib/session";
import { StoreUnavailableError } from "@/lib/session/redis/errors";

// The pages' side only: with SESSION_STORE=redis, lib/config loads the store from here on first use.
provideRedisStore(() => import("@/lib/session/redis"));

type SignedInSession = Session & { data: { user: string } };

/**
 * Runs `work`; when the session store does not answer, sends the visitor to
 * the 503 page, which offers `path` again. (A page cannot answer 503 itself.)
 */
export async function orUnavailable<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreUnavailableError) redirect(unavailablePath(path));
    throw error;
  }
}

/** The request's session, read once per render. */
const readSession = cache(getSession);

/** The request's session, or null; when the store does not answer, the visitor gets the 503 answer for `path`. */
export const getPageSession = cache((path: string): Promise<Session | null> => orUnavailable(path, readSession));

/** Who is signed in, for the header: null for a visitor, and while the store does not answer (the page says so). */
export const currentUser = cache(async (): Promise<string | null> =>
  signedInUser(await readSession().catch(() => null)),
);

/** The signed-in user: a live session whose user is still configured; null for anyone else. */
export function signedInUser(session: Session | null): string | null {
  const user = session?.data.user;
  return user !== undefined && userExists(user) ? user : null;
}

/**
 * The authoritative check, for every guarded page and every server action
 * that needs a user: the signed-in session. Anyone else is sent to /login,
 * with `next` set to `returnTo`.
 */
export const verifySession = cache(async (returnTo: string): Promise<SignedInSession> => {
  const session = await getPageSession(returnTo);
  if (!signedInUser(session)) redirect(loginPath(returnTo));
  return session as SignedInSession;
});
