/**
 * Makes the development secret file (.session-secret.local) if there is
 * none, as `next dev` does on its first start. `npm run test:e2e` runs it
 * before its build, so that the build sees the file a developer's checkout
 * has, and e2e/site/deploy-output.spec.ts can check that no deployable
 * trace carries it.
 */
import { ensureDevSecret } from "../lib/config/dev-secret";

ensureDevSecret({});
