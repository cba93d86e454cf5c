/**
 * Preloaded into the profiled server (node --require): SIGUSR2 starts the
 * V8 CPU profiler, the next SIGUSR2 stops it and writes the profile to
 * $BENCH_PROFILE_FILE, so that the profile covers the measured load only,
 * not the server's start and warm-up (bench/profile.ts).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload, loaded with node --require */
const { Session } = require("node:inspector");
const { renameSync, writeFileSync } = require("node:fs");

const session = new Session();
session.connect();
let running = false;

process.on("SIGUSR2", () => {
  if (!running) {
    running = true;
    session.post("Profiler.enable", () =>
      session.post("Profiler.setSamplingInterval", { interval: 200 }, () => session.post("Profiler.start")),
    );
    return;
  }
  running = false;
  session.post("Profiler.stop", (error, result) => {
    if (error) return;
    // Written whole, then renamed: the profiler's reader waits for the name.
    const file = process.env.BENCH_PROFILE_FILE;
    writeFileSync(`${file}.partial`, JSON.stringify(result.profile));
    renameSync(`${file}.partial`, file);
  });
});
