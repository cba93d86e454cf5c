/**
 * vitest's global setup: one throwaway redis-server for the unit tests that
 * need a real Redis (they read its URL with `inject("redisUrl")` and keep to
 * key prefixes of their own); a test that stops Redis starts its own.
 */
import type { TestProject } from "vitest/node";
import { startRedis } from "./redis-server";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const redis = await startRedis();
  project.provide("redisUrl", redis.url);
  return () => redis.stop();
}
