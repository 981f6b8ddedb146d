// `npm run release` end to end: the release folder with both executables, the MSI and the zip signed with a
// code-signing certificate this test makes (osslsigncode verifies both signatures against its root), the zip's
// contents, the docs site, the SBOM and SHA256SUMS checked by coreutils' sha256sum -c.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import forge from "node-forge";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../../package.json" with { type: "json" };
import { buildRelease, type Release } from "../../../scripts/release";
import { verifySignature } from "../../../scripts/sign";
import { compiledBinaries } from "../../helpers/compiled-binaries";
import { requireTool } from "../../helpers/executables";
import { createTempDir } from "../../helpers/temp-dir";

const tmp = createTempDir("steward-release-e2e-");
/** Hashing, verifying and unzipping ~300 MB of artefacts takes a while on a busy machine. */
const SLOW = 180_000;
afterAll(() => tmp.remove());

/** A root CA and a code-signing certificate it issued, as PEM files; the key is encrypted with `password`. */
function makeCodeSigningCert(dir: string, password: string) {
  const keys = () => forge.pki.rsa.generateKeyPair(2048);
  const ca = keys();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = "01";
  caCert.validity.notBefore = new Date(Date.now() - 86_400_000);
  caCert.validity.notAfter = new Date(Date.now() + 86_400_000 * 30);
  const caName = [{ name: "commonName", value: "Steward Test Root" }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: "basicConstraints", cA: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());
  const leaf = keys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = leaf.publicKey;
  cert.serialNumber = "02";
  cert.validity.notBefore = caCert.validity.notBefore;
  cert.validity.notAfter = caCert.validity.notAfter;
  cert.setSubject([{ name: "commonName", value: "Steward Test Publisher" }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: "keyUsage", digitalSignature: true },
    { name: "extKeyUsage", codeSigning: true },
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(leaf.privateKey, [cert, caCert], password, { algorithm: "3des" });
  const paths = { pfx: join(dir, "sign.pfx"), ca: join(dir, "root.pem") };
  writeFileSync(paths.pfx, Buffer.from(forge.asn1.toDer(p12).getBytes(), "binary"));
  writeFileSync(paths.ca, forge.pki.certificateToPem(caCert));
  return paths;
}

let release: Release;
let ca: string;

beforeAll(async () => {
  requireTool("wixl");
  const cert = makeCodeSigningCert(tmp.path, "release-test-pass");
  ca = cert.ca;
  // The executables are compiled by buildBinaries as `npm run release` does, once for the test files that share them.
  release = await buildRelease({ outRoot: join(tmp.path, "out"), sign: { pfx: cert.pfx, password: "release-test-pass" }, compile: compiledBinaries });
}, 600_000);

describe("npm run release", () => {
  const v = pkg.version;

  test(
    "makes every artefact, listed in SHA256SUMS, which sha256sum -c accepts",
    () => {
      expect(release.files).toEqual(
        [
          `steward-${v}-sbom.cdx.json`,
          `steward-${v}-windows-x64.zip`,
          `steward-${v}-x64.msi`,
          "steward-freshness.zip",
          "steward-linux-x64",
          "steward-windows-x64.exe",
        ].sort(),
      );
      const sums = readFileSync(join(release.dir, "SHA256SUMS"), "utf8");
      expect(
        sums
          .trim()
          .split("\n")
          .map((l) => l.split("  ")[1])
          .sort(),
      ).toEqual(release.files);
      const check = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: release.dir, stdout: "pipe", stderr: "pipe" });
      expect({ code: check.exitCode, out: check.stdout.toString().trim().split("\n").length }).toEqual({ code: 0, out: 6 });
    },
    SLOW,
  );

  test(
    "the exe and the MSI carry Authenticode signatures that verify against the certificate's root",
    () => {
      for (const f of ["steward-windows-x64.exe", `steward-${v}-x64.msi`]) {
        const r = verifySignature(join(release.dir, f), ca);
        expect({ f, ok: r.ok, publisher: /Steward Test Publisher/.test(r.output) }).toEqual({ f, ok: true, publisher: true });
      }
      // Verification is real: the same file does not verify against another root.
      const other = join(tmp.path, "other-root.pem");
      const otherKeys = forge.pki.rsa.generateKeyPair(1024);
      const c = forge.pki.createCertificate();
      c.publicKey = otherKeys.publicKey;
      c.serialNumber = "09";
      c.validity.notBefore = new Date();
      c.validity.notAfter = new Date(Date.now() + 86_400_000);
      c.setSubject([{ name: "commonName", value: "Someone Else" }]);
      c.setIssuer([{ name: "commonName", value: "Someone Else" }]);
      c.sign(otherKeys.privateKey, forge.md.sha256.create());
      writeFileSync(other, forge.pki.certificateToPem(c));
      expect(verifySignature(join(release.dir, "steward-windows-x64.exe"), other).ok).toBe(false);
    },
    SLOW,
  );

  test(
    "the zip holds the signed steward.exe, the example configs and the docs site, and unzip reads it",
    () => {
      const list = Bun.spawnSync(["unzip", "-Z1", `steward-${v}-windows-x64.zip`], { cwd: release.dir, stdout: "pipe", stderr: "pipe" });
      expect(list.exitCode).toBe(0);
      const names = list.stdout.toString().trim().split("\n");
      expect(names).toContain("steward/steward.exe");
      expect(names).toContain("steward/README.txt");
      expect(names).toContain("steward/docs/index.html");
      expect(names).toContain("steward/docs/watchdog.html");
      expect(names.some((n) => /^steward\/config\/.+\.ya?ml$/.test(n))).toBe(true);
      const test = Bun.spawnSync(["unzip", "-tq", `steward-${v}-windows-x64.zip`], { cwd: release.dir, stdout: "pipe" });
      expect(test.exitCode).toBe(0);
      const exe = Bun.spawnSync(["unzip", "-p", `steward-${v}-windows-x64.zip`, "steward/steward.exe"], { cwd: release.dir, stdout: "pipe" });
      expect(Buffer.compare(Buffer.from(exe.stdout), readFileSync(join(release.dir, "steward-windows-x64.exe")))).toBe(0);
    },
    SLOW,
  );

  test(
    "the docs site's pages link to each other as files",
    () => {
      const page = readFileSync(join(release.dir, "docs/watchdog.html"), "utf8");
      expect(page).toContain('href="index.html"');
      expect(page).not.toMatch(/href="\/help/);
    },
    SLOW,
  );
});
