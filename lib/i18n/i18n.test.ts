import { describe, expect, it } from "vitest";
import { formatApproxDuration, formatDateTime, formatDuration } from "./format";
import { CATALOGUES, negotiateLocale } from "./locales";

describe("negotiateLocale", () => {
  it.each([
    [undefined, null, "en"],
    [undefined, "zh-CN,zh;q=0.9,en;q=0.8", "zh"],
    [undefined, "en-US,en;q=0.9,zh;q=0.8", "en"],
    [undefined, "fr-FR,zh-Hans;q=0.5", "zh"],
    [undefined, "fr, de", "en"],
    [undefined, "zh;q=0, en", "en"],
    [undefined, "en;q=0.1, zh-TW;q=0.5", "zh"],
    ["zh", "en-US", "zh"],
    ["en", "zh-CN", "en"],
    ["xx", "zh-CN", "zh"],
    [undefined, ";;,,q=1", "en"],
  ])("cookie %j, Accept-Language %j -> %s", (cookie, header, expected) => {
    expect(negotiateLocale(cookie, header)).toBe(expected);
  });
});

describe("formatting", () => {
  it("writes durations for the locale", () => {
    expect(formatDuration(31 * 86_400, "en")).toBe("31 days");
    expect(formatDuration(3_600, "en")).toBe("1 hour");
    expect(formatDuration(31 * 86_400, "zh")).toBe("31天");
    expect(formatApproxDuration(59, "zh")).toBe("59秒钟");
  });
  it("rounds a rough duration up, in a unit that fits twice: never shorter than it is", () => {
    expect(formatApproxDuration(31 * 86_400 - 5, "en")).toBe("31 days"); // a lifetime just after sign-in
    expect(formatApproxDuration(15 * 60, "en")).toBe("15 minutes"); // a fresh lockout
    expect(formatApproxDuration(14 * 60 + 1, "en")).toBe("15 minutes");
    expect(formatApproxDuration(86_400 + 1, "en")).toBe("25 hours");
    expect(formatApproxDuration(90, "en")).toBe("90 seconds");
    expect(formatApproxDuration(0.4, "en")).toBe("1 second");
  });
  it("writes moments for the locale, in UTC", () => {
    const moment = Date.UTC(2026, 11, 26, 9, 5) / 1000;
    expect(formatDateTime(moment, "en")).toBe("Dec 26, 2026, 09:05 AM UTC");
    expect(formatDateTime(moment, "zh")).toMatch(/^2026年12月26日.*09:05/);
  });
});

describe("catalogues", () => {
  it("have the same keys in every language", () => {
    const shape = (value: unknown): unknown =>
      typeof value === "object" && value !== null
        ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner)]))
        : typeof value;
    expect(shape(CATALOGUES.zh)).toEqual(shape(CATALOGUES.en));
  });
});

describe("messages with arguments", () => {
  it("use every argument in every language (as many as English takes)", () => {
    const unused: string[] = [];
    const walk = (english: unknown, value: unknown, at: string, locale: string) => {
      if (typeof english === "function" && typeof value === "function") {
        const args = Array.from({ length: english.length }, (_, index) => `«${index}»`);
        const text = [value(...args)].flat(Infinity).join("");
        args.filter((arg) => !text.includes(arg)).forEach((arg) => unused.push(`${locale} ${at} ${arg}`));
      } else if (typeof english === "object" && english !== null) {
        for (const [key, inner] of Object.entries(english))
          walk(inner, (value as Record<string, unknown>)[key], `${at}.${key}`, locale);
      }
    };
    for (const [locale, catalogue] of Object.entries(CATALOGUES)) walk(CATALOGUES.en, catalogue, "", locale);
    expect(unused).toEqual([]);
  });
});
