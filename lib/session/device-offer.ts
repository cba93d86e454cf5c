/**
 * The offer of a device binding (DBSC, lib/session/device-bound.ts): sign-in
 * leaves it in a cookie (a server action cannot set a response header), and
 * the middleware hands it to the browser once, on the next response, as the
 * `Secure-Session-Registration` header. Browsers without DBSC ignore it.
 */
import type { NextRequest, NextResponse } from "next/server";
import { DEVICE_PATH, type SessionConfig } from "@/lib/session";

export const REGISTER_PATH = `${DEVICE_PATH}/register`;
/** How long the offer stands after sign-in. */
export const OFFER_TTL = 10 * 60;

/**
 * The offer's cookie (`__Host-session-offer`), holding `challenge`; an empty one expires it, with the
 * attributes a `__Host-` cookie needs, and Expires=1970 (why: lib/session.ts, `cookie()`).
 */
export function offerCookie(config: SessionConfig, challenge = "") {
  const options = {
    httpOnly: true,
    secure: config.secure,
    sameSite: "lax" as const,
    path: "/",
    maxAge: challenge ? OFFER_TTL : 0,
    ...(challenge ? {} : { expires: new Date(0) }),
  };
  return [`${config.cookieName}-offer`, challenge, options] as const;
}

/** Moves the offer, if the request has one, from its cookie to `response`'s registration header (signed-in visitors only). */
export function handOffer(request: NextRequest, response: NextResponse, config: SessionConfig, signedIn: boolean) {
  const [name] = offerCookie(config);
  const challenge = request.cookies.get(name)?.value;
  if (challenge === undefined) return;
  // A sealed challenge is base64url and `*~.`: nothing to escape in the header's quoted string.
  if (signedIn && /^[\w*~.-]{1,1024}$/.test(challenge)) {
    response.headers.set(
      "secure-session-registration",
      `(ES256 RS256);path="${REGISTER_PATH}";challenge="${challenge}"`,
    );
  }
  response.cookies.set(...offerCookie(config));
}
