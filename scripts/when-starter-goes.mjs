/**
 * Calls `stop` once the npm that started this process goes, however it went:
 * npm stopped by its process id (a SIGTERM, even a SIGKILL) does not pass the
 * signal on to what it started. Only under npm (`npm start`, `npm run dev`):
 * the parent is watched, and on Linux, when the parent is the shell npm runs
 * a script through, npm behind it. Started any other way (`node
 * scripts/start.mjs`, `nohup … &`), the signals reach this process itself,
 * and the shell it was started from may go.
 */
import { readFileSync } from "node:fs";

function parentOf(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[1]);
  } catch {
    return 0; // no /proc: the parent alone is watched
  }
}

function isShell(pid) {
  try {
    return /^(sh|dash|bash|zsh|ash)$/.test(readFileSync(`/proc/${pid}/comm`, "utf8").trim());
  } catch {
    return false;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

export function whenStarterGoes(stop) {
  if (!process.env.npm_lifecycle_event) return;
  const starters = [process.ppid, isShell(process.ppid) ? parentOf(process.ppid) : 0].filter((pid) => pid > 1);
  const timer = setInterval(() => {
    if (starters.some((pid) => !alive(pid))) {
      clearInterval(timer);
      stop();
    }
  }, 500);
  timer.unref();
}
