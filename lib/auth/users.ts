import "server-only";
import { randomBytes } from "node:crypto";
import { getConfig } from "../config";
import { verifyPassword, type ParsedHash } from "./password";

let decoy: ParsedHash | undefined;

/**
 * A hash that matches no password, with the same cost as a real user's, so
 * that an unknown name takes as long to refuse as a wrong password.
 */
function decoyHash(users: ReadonlyMap<string, ParsedHash>): ParsedHash {
  if (!decoy) {
    const model = users.values().next().value as ParsedHash;
    const random = (like: string) => randomBytes(Buffer.from(like, "base64url").length).toString("base64url");
    decoy = { ...model, salt: random(model.salt), key: random(model.key) };
  }
  return decoy;
}

/** The user's name when the password is right, otherwise null. Same cost either way. */
export async function verifyCredentials(username: string, password: string): Promise<string | null> {
  const { users } = getConfig();
  const hash = users.get(username);
  const matches = await verifyPassword(password, hash ?? decoyHash(users));
  return hash && matches ? username : null;
}

/** Whether the account is (still) configured: a session of a removed user is no sign-in. */
export function userExists(username: string): boolean {
  return getConfig().users.has(username);
}
