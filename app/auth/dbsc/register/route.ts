/** POST /auth/dbsc/register: a browser with DBSC binds the session to its key (lib/session/device-bound.ts). */
export { register as POST } from "@/lib/session/device-bound";
