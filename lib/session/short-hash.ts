/**
 * The first `hexDigits` hex digits of a SHA-256 (WebCrypto, any runtime): a
 * name for something secret that is useful to compare and useless to replay.
 */
export async function shortHash(text: string, hexDigits: number): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(digest.subarray(0, Math.ceil(hexDigits / 2)), (byte) => byte.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, hexDigits);
}
