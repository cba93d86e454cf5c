/**
 * AUTH_USERS, the accounts: `name:hash` pairs from `npm run hash-password`,
 * or in development without it, the tutorial's demo account.
 */
import { parseHash, type ParsedHash } from "../auth/hash-format";

/** The demo account of development mode: admin / admin123 (the tutorial's). */
export const DEMO_USER = {
  name: "admin",
  password: "admin123",
  hash: "scrypt.17.8.1.m_XNzxGiiuH4geBRxU_GJQ.PezR2z5szXOrIv0VHnxtOj1tjVxfmSaS8yCdvUvxcFo",
} as const;

const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;

function parseUsers(raw: string, problems: string[]): Map<string, ParsedHash> {
  const users = new Map<string, ParsedHash>();
  const example = "AUTH_USERS=alice:<hash>,bob:<hash> (make a hash with: npm run hash-password)";
  raw
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, index) => {
      const colon = entry.indexOf(":");
      const name = colon === -1 ? "" : entry.slice(0, colon);
      const hash = colon === -1 ? "" : entry.slice(colon + 1);
      if (colon === -1) {
        problems.push(`AUTH_USERS: entry ${index + 1} has no ":" between name and hash. e.g. ${example}`);
      } else if (!USER_NAME.test(name)) {
        problems.push(
          `AUTH_USERS: entry ${index + 1} has an invalid user name (1-64 of letters, digits, _ . @ -). e.g. ${example}`,
        );
      } else if (users.has(name)) {
        problems.push(`AUTH_USERS: the user "${name}" is listed twice; keep one entry per user.`);
      } else {
        const parsed = parseHash(hash);
        if (parsed) users.set(name, parsed);
        else problems.push(`AUTH_USERS: the hash of "${name}" is not an scrypt hash from 'npm run hash-password'.`);
      }
    });
  if (users.size === 0 && problems.length === 0) {
    problems.push(`AUTH_USERS lists no users. e.g. ${example}`);
  }
  return users;
}

/** The accounts, or the demo account in development; every problem goes into `problems`. */
export function readUsers(
  env: Record<string, string | undefined>,
  production: boolean,
  problems: string[],
): { users: Map<string, ParsedHash>; demoAccount: boolean } {
  const rawUsers = env.AUTH_USERS?.trim() ?? "";
  let users: Map<string, ParsedHash>;
  let demoAccount = false;
  if (rawUsers) {
    users = parseUsers(rawUsers, problems);
  } else if (production) {
    users = new Map();
    problems.push(
      "AUTH_USERS is not set, so nobody could sign in. List the accounts as AUTH_USERS=alice:<hash>,bob:<hash>; make each hash with: npm run hash-password",
    );
  } else {
    users = new Map([[DEMO_USER.name, parseHash(DEMO_USER.hash)!]]);
    demoAccount = true;
  }

  return { users, demoAccount };
}
