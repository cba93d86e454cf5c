// Flask 3.1's default session cookie (SecureCookieSessionInterface → itsdangerous 2.2
// URLSafeTimedSerializer), rebuilt byte for byte; and read back without the key.
import { deflate, inflate } from "pako";

const enc = new TextEncoder();
const b64url = (b: Uint8Array) =>
  btoa(Array.from(b, (x) => String.fromCharCode(x)).join(""))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, ""); // itsdangerous strips "="
const unb64url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

// Python's sort_keys compares code points; JS's default sort compares UTF-16 units,
// which puts astral chars (🍪) before U+E000–U+FFFF. Fixed-width hex restores code-point order.
const cpKey = (s: string) => Array.from(s, (c) => c.codePointAt(0)!.toString(16).padStart(6, "0")).join("");
const TAGS = [" t", " b", " m", " u", " d", " di"]; // flask/json/tag.py tag keys

// app.json.dumps as used by TaggedJSONSerializer: sort_keys=True, ensure_ascii=True, separators=(",", ":").
// Own recursion rather than JSON.stringify(obj): JS objects list integer-like keys ("9", "10") first.
function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>,
      keys = Object.keys(o).sort((a, b) => (cpKey(a) < cpKey(b) ? -1 : 1));
    // TagDict: a 1-key dict whose key is a tag name is wrapped so loading doesn't untag it.
    if (keys.length === 1 && TAGS.includes(keys[0])) return `{" di":{${pyJson(keys[0] + "__")}:${pyJson(o[keys[0]])}}}`;
    return `{${keys.map((k) => `${pyJson(k)}:${pyJson(o[k])}`).join(",")}}`;
  }
  // ensure_ascii escapes everything outside 0x20–0x7E (DEL too) as lowercase \uXXXX per UTF-16 unit;
  // JSON.stringify already escapes " \ and controls exactly as Python does.
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

async function hmacSha1(key: Uint8Array, msg: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", key as BufferSource, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, msg as BufferSource));
}

/** Data must be plain JSON (strings, safe integers, booleans, null, arrays, objects): JS can't express Python floats/tuples/bytes. */
export async function flaskCookie(
  data: Record<string, unknown>,
  secretKey: string | Uint8Array,
  timestamp: number,
): Promise<string> {
  const json = enc.encode(pyJson(data));
  // zlib.compress(json) (level 6). legacyHash = canonical zlib's hash; node:zlib (Chromium's zlib) finds other matches.
  const z = deflate(json, { legacyHash: true });
  const payload = z.length < json.length - 1 ? "." + b64url(z) : b64url(json); // strict <, and "." flags compression
  const ts: number[] = []; // int_to_bytes: big-endian, leading zero bytes dropped (0 → empty)
  for (let n = timestamp; n > 0; n = Math.floor(n / 256)) ts.unshift(n % 256);
  const signed = `${payload}.${b64url(new Uint8Array(ts))}`;
  // key_derivation "hmac": key = HMAC-SHA1(secret, salt "cookie-session"); then sign "payload.ts".
  const key = await hmacSha1(
    typeof secretKey === "string" ? enc.encode(secretKey) : secretKey,
    enc.encode("cookie-session"),
  );
  return `${signed}.${b64url(await hmacSha1(key, enc.encode(signed)))}`;
}

/** What anyone can read from a Flask session cookie without the secret key (signed, not encrypted). */
export function readFlaskCookie(value: string) {
  const compressed = value.startsWith(".");
  const [payload, ts, signature] = (compressed ? value.slice(1) : value).split("."); // base64url never contains "."
  const raw = unb64url(payload);
  const json = new TextDecoder().decode(compressed ? inflate(raw) : raw);
  const timestamp = unb64url(ts).reduce((n, b) => n * 256 + b, 0);
  return { json, data: JSON.parse(json) as unknown, timestamp, signature, compressed };
}
