/** The auth guide pattern's session (bench/guide/app/lib/session.ts): a JWT that jose signs with HS256, as its login would. */
import { SignJWT } from "jose";

export function guideToken(secret: string, userId: string): Promise<string> {
  return new SignJWT({ userId })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime("7d")
    .sign(new TextEncoder().encode(secret));
}
