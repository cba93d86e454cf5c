import { startRedis } from "../lib/testing/redis-server";

/**
 * One throwaway redis-server for the whole run (the Redis project's servers
 * share it, as several app servers would); tests that stop Redis on purpose
 * start their own. Its URL reaches every server through REDIS_URL.
 */
export default async function globalSetup() {
  const redis = await startRedis();
  process.env.REDIS_URL = redis.url;
  return () => redis.stop();
}
