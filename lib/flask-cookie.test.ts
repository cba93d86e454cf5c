/**
 * The Flask-format cookie the playground shows is what Flask 3 sends for the
 * same data: byte for byte against cookies Flask 3.1.3 made
 * (lib/fixtures/flask-cookies.json, from lib/fixtures/make-flask-cookies.py,
 * which runs Flask's own session interface and the tutorial's app), and read
 * back without the key, as anyone who sees the cookie can.
 */
import { describe, expect, it } from "vitest";
import fixtures from "./fixtures/flask-cookies.json";
import { flaskCookie, readFlaskCookie } from "./flask-cookie";

type Fixture = (typeof fixtures)[number] & { secretKey?: string; secretKeyHex?: string };
const keyOf = (fixture: Fixture) => fixture.secretKey ?? Uint8Array.from(Buffer.from(fixture.secretKeyHex!, "hex"));

describe.each(fixtures as Fixture[])("$note", (fixture) => {
  it("is made exactly as Flask makes it", async () => {
    expect(await flaskCookie(fixture.data, keyOf(fixture), fixture.timestamp)).toBe(fixture.cookie);
  });

  it("reads back without the key: the JSON, the time it was signed, the signature", () => {
    const read = readFlaskCookie(fixture.cookie);
    expect(read.json).toBe(fixture.json);
    expect(read.timestamp).toBe(fixture.timestamp);
    expect(read.compressed).toBe(fixture.compressed);
    expect(read.signature).toBe(fixture.cookie.slice(fixture.cookie.lastIndexOf(".") + 1));
    // The wire shows Flask's tag wrapper, not the original dict, in the TagDict case.
    expect(read.data).toEqual(fixture.note.startsWith("TagDict") ? JSON.parse(fixture.json) : fixture.data);
  });
});

it("covers a sign-in, a remembered one, the tutorial's own app, and a compressed cookie", () => {
  const data = fixtures.map((fixture) => JSON.stringify(fixture.data));
  for (const expected of ['{"user":"admin"}', '{"user":"admin","_permanent":true}', "{}"])
    expect(data).toContain(expected);
  expect(fixtures.some((fixture) => fixture.compressed)).toBe(true);
  expect(fixtures.filter((fixture) => fixture.note.startsWith("real")).length).toBeGreaterThanOrEqual(2);
});
