/**
 * A throwaway TLS certificate for the tests behind an nginx with `ssl`: a
 * self-signed P-256 certificate for localhost and 127.0.0.1, made with
 * openssl (Debian's /usr/bin/openssl; OPENSSL_BIN picks another) in a folder
 * of its own, and the base64 SHA-256 of its public key (SPKI), which is what
 * Chromium's --ignore-certificate-errors-spki-list takes. With that switch the
 * certificate verifies, as a real one would: Playwright's ignoreHTTPSErrors
 * (like --ignore-certificate-errors) only ignores the error, and Chromium then
 * drops what needs a secure origin, such as DBSC's registration header.
 */
import { spawnSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export type Certificate = {
  /** The PEM files, for nginx's ssl_certificate and ssl_certificate_key. */
  cert: string;
  key: string;
  /** base64(sha256(SubjectPublicKeyInfo)), for --ignore-certificate-errors-spki-list. */
  spki: string;
  remove: () => void;
};

function openssl(): string {
  if (process.env.OPENSSL_BIN) return process.env.OPENSSL_BIN;
  return ["/usr/bin/openssl", "/usr/local/bin/openssl"].find((file) => existsSync(file)) ?? "openssl";
}

/** The SPKI hash of a PEM certificate, as Chromium's --ignore-certificate-errors-spki-list expects it. */
export function spkiHash(pem: string | Buffer): string {
  const der = new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("base64");
}

/** A new self-signed P-256 certificate for localhost and 127.0.0.1, valid for a day. */
export function selfSignedCertificate(): Certificate {
  const dir = mkdtempSync(path.join(tmpdir(), "tls-"));
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  const result = spawnSync(
    openssl(),
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
      ...["-keyout", key, "-out", cert, "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    ],
    { encoding: "utf8" },
  );
  if (result.error || result.status !== 0 || !existsSync(cert)) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `cannot make a certificate with openssl (Debian: apt-get install openssl): ${result.error?.message ?? result.stderr}`,
    );
  }
  return {
    cert,
    key,
    spki: spkiHash(readFileSync(cert)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
