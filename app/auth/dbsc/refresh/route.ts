/** POST /auth/dbsc/refresh: a bound session's browser proves its key, and the session's window moves on (lib/session/device-bound.ts). */
import "@/lib/auth/dal"; // which tells lib/config how to load the Redis store in this bundle

export {
  refresh as POST,
  options as OPTIONS,
  notAllowed as GET,
  notAllowed as PUT,
  notAllowed as PATCH,
  notAllowed as DELETE,
} from "@/lib/session/device-bound";
