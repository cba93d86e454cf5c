import { describe, expect, it } from "vitest";
import { plainHttpElsewhere } from "./plain-http";

const request = (host: string, proto?: string) =>
  new Headers({ host, ...(proto ? { "x-forwarded-proto": proto } : {}) });

describe("a production request over plain http", () => {
  it("is flagged at an address other than this machine's", () => {
    expect(plainHttpElsewhere(request("192.168.1.20:3000", "http"))).toBe("192.168.1.20:3000");
    expect(plainHttpElsewhere(request("myhost.lan:3000"))).toBe("myhost.lan:3000");
  });

  it("is fine at localhost, 127.0.0.1, [::1] or *.localhost (browsers treat them as secure), and over https", () => {
    for (const host of ["localhost:3000", "127.0.0.1:3000", "127.1.2.3", "[::1]:3000", "app.localhost:8080"]) {
      expect(plainHttpElsewhere(request(host, "http")), host).toBeNull();
    }
    expect(plainHttpElsewhere(request("192.168.1.20:3000", "https"))).toBeNull();
    expect(plainHttpElsewhere(request("example.com", "https,http"))).toBeNull();
  });
});
