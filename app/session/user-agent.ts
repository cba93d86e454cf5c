import type { Messages } from "@/lib/i18n/locales";

/** "Chrome on Linux", "Safari on iPhone", … from a User-Agent header: enough to tell one's devices apart. */
export function shortUserAgent(userAgent: string, m: Messages["session"]): string {
  if (!userAgent) return m.unknownDevice;
  const browser =
    [
      [/Edg\//, "Edge"],
      [/OPR\/|Opera/, "Opera"],
      [/Firefox\//, "Firefox"],
      [/HeadlessChrome\//, "Headless Chrome"],
      [/Chrome\/|CriOS\//, "Chrome"],
      [/Safari\//, "Safari"],
      [/curl\//, "curl"],
    ].find(([pattern]) => (pattern as RegExp).test(userAgent))?.[1] ?? m.aBrowser;
  const system = [
    [/iPhone/, "iPhone"],
    [/iPad/, "iPad"],
    [/Android/, "Android"],
    [/Windows/, "Windows"],
    [/Mac OS X|Macintosh/, "macOS"],
    [/CrOS/, "ChromeOS"],
    [/Linux/, "Linux"],
  ].find(([pattern]) => (pattern as RegExp).test(userAgent))?.[1];
  return system ? m.deviceOn(browser as string, system as string) : (browser as string);
}
