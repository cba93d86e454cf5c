/**
 * HTTP/1.1 on a raw socket (node:net), for requests that fetch and Node's
 * client refuse to make: any method (TRACE, CONNECT, made-up ones), any
 * request-target form (absolute, authority, asterisk), malformed
 * percent-encoding exactly as written, and any header.
 */
import { createConnection } from "node:net";

export type RawResponse = { status: number; headers: Record<string, string>; body: string };

export function rawRequest(
  port: number,
  {
    method = "GET",
    target,
    headers = {},
    body = "",
    chunked = false,
  }: { method?: string; target: string; headers?: Record<string, string>; body?: string; chunked?: boolean },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    const chunks: Buffer[] = [];
    socket.setTimeout(30_000, () => socket.destroy(new Error(`no answer to ${method} ${target} within 30 s`)));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const split = text.indexOf("\r\n\r\n");
      const [statusLine, ...lines] = text.slice(0, split === -1 ? text.length : split).split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      const parsed: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon > 0) {
          const name = line.slice(0, colon).trim().toLowerCase();
          parsed[name] = parsed[name]
            ? `${parsed[name]}, ${line.slice(colon + 1).trim()}`
            : line.slice(colon + 1).trim();
        }
      }
      resolve({ status, headers: parsed, body: split === -1 ? "" : text.slice(split + 4) });
    });
    const head = [`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close"];
    for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
    if (chunked) {
      // Transfer-Encoding: chunked, 64 KB a chunk, and no Content-Length to announce the size.
      head.push("Transfer-Encoding: chunked");
      socket.write(`${head.join("\r\n")}\r\n\r\n`);
      for (let at = 0; at < body.length; at += 65_536) {
        const chunk = body.slice(at, at + 65_536);
        socket.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
      }
      socket.write("0\r\n\r\n");
    } else {
      if (body) head.push(`Content-Length: ${Buffer.byteLength(body)}`);
      socket.write(`${head.join("\r\n")}\r\n\r\n${body}`);
    }
  });
}
