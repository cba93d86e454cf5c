import { getConfig, type Config } from "./config";

/** Debug lines, shown only with LOG_LEVEL=debug (one JSON object a line). */
export function debug(event: string, fields: Record<string, unknown> = {}, config: Config = getConfig()): void {
  if (config.logLevel !== "debug") return;
  console.log(JSON.stringify({ time: new Date().toISOString(), level: "debug", event, ...fields }));
}
