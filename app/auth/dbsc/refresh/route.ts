/** POST /auth/dbsc/refresh: a bound session's browser proves its key, and the session's window moves on (lib/session/device-bound.ts). */
export { refresh as POST } from "@/lib/session/device-bound";
