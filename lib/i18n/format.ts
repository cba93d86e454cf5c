/** Durations and moments written for a language, with Intl. */
import { LOCALE_TAGS, type Locale } from "./locales";

/**
 * Intl formatters, made once per locale and kind: making one costs 60-230 µs,
 * using one about 1 µs (bench/README.md). A handful of keys, so no bound.
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function once<T>(made: Map<string, T>, key: string, make: () => T): T {
  let value = made.get(key);
  if (value === undefined) {
    value = make();
    made.set(key, value);
  }
  return value;
}

/** "31 days", "31天", "12 hours", "12小时": the largest whole unit, written for the locale. */
export function formatDuration(seconds: number, locale: Locale): string {
  const units: [Intl.NumberFormatOptions["unit"], number][] = [
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
    ["second", 1],
  ];
  const [unit, size] = units.find(([, size]) => seconds >= size && seconds % size === 0) ?? ["second", 1];
  return once(
    numberFormats,
    `${locale}:${unit}`,
    () => new Intl.NumberFormat(LOCALE_TAGS[locale], { style: "unit", unit, unitDisplay: "long" }),
  ).format(seconds / size);
}

/**
 * Roughly how long, rounded up, in the largest unit that fits at least
 * twice: a wait or a lifetime is never shorter than it says, and never much
 * longer ("31 days" for a 31-day lifetime a few seconds in, "15 minutes" for
 * a fresh 15-minute lockout, "25 hours" rather than "2 days" for a day and a bit).
 */
export function formatApproxDuration(seconds: number, locale: Locale): string {
  for (const size of [86_400, 3_600, 60]) {
    if (seconds >= 2 * size) return formatDuration(Math.ceil(seconds / size) * size, locale);
  }
  return formatDuration(Math.max(1, Math.ceil(seconds)), locale);
}

/** A moment (epoch seconds) as a date and time for the locale, in UTC (the server cannot know the visitor's zone). */
export function formatDateTime(epochSeconds: number, locale: Locale): string {
  // (dateStyle/timeStyle cannot be combined with timeZoneName, hence the fields one by one.)
  return once(
    dateTimeFormats,
    locale,
    () =>
      new Intl.DateTimeFormat(LOCALE_TAGS[locale], {
        year: "numeric",
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        timeZone: "UTC",
        timeZoneName: "short",
      }),
  ).format(new Date(epochSeconds * 1000));
}
