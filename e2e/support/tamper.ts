/** `text` with the character at `at` moved `by` places along the base64url alphabet: a tampered seal. */
export function flip(text: string, at: number, by = 1): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const index = chars.indexOf(text[at]);
  return text.slice(0, at) + chars[(Math.max(0, index) + by) % chars.length] + text.slice(at + 1);
}
