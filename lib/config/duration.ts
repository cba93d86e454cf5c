/**
 * Durations as people write them in env vars: `7d`, `12h`, `30m`, `45s`, or a
 * plain number of seconds. Returns whole seconds, or an error message.
 */
const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;

/** Ten years: far beyond any sensible session and well inside a cookie's Max-Age. */
const MAX_DURATION_SECONDS = 10 * 365 * 86_400;

export type DurationResult = { ok: true; seconds: number } | { ok: false; problem: string };

export function parseDuration(raw: string): DurationResult {
  const text = raw.trim();
  const match = /^(\d{1,10})\s*([dhms]?)$/i.exec(text);
  if (!match) {
    return { ok: false, problem: `"${raw}" is not a duration` };
  }
  const unit = (match[2] || "s").toLowerCase() as keyof typeof UNIT_SECONDS;
  const seconds = Number(match[1]) * UNIT_SECONDS[unit];
  if (seconds < 1) return { ok: false, problem: "it must be at least 1 second" };
  if (seconds > MAX_DURATION_SECONDS) return { ok: false, problem: "it must be at most 10 years" };
  return { ok: true, seconds };
}

/** A duration as it is written in an env var, in the largest whole unit: 2678400 -> "31d", 90 -> "90s". */
export function envDuration(seconds: number): string {
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
