/** POST /auth/dbsc/register: a browser with DBSC binds the session to its key (lib/session/device-bound.ts). */
import "@/lib/auth/dal"; // which tells lib/config how to load the Redis store in this bundle

export {
  register as POST,
  options as OPTIONS,
  notAllowed as GET,
  notAllowed as PUT,
  notAllowed as PATCH,
  notAllowed as DELETE,
} from "@/lib/session/device-bound";
