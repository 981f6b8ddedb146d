// Authenticode signing of the Windows executable and the MSI on the Linux build machine, with osslsigncode
// (Debian package osslsigncode), from a PKCS#12 file or a PEM certificate and key.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SigningKey {
  /** A .pfx/.p12 file holding the certificate (and its chain) and the private key. */
  pfx?: string;
  /** Or a PEM certificate (chain) and a PEM private key. */
  certPem?: string;
  keyPem?: string;
  /** Password of the PKCS#12 file or of the key. */
  password?: string;
  /** RFC 3161 time-stamping server: the signature then stays valid after the certificate expires. */
  timestampUrl?: string;
}

function osslsigncode(): string {
  const found = Bun.which("osslsigncode") ?? (existsSync("/usr/bin/osslsigncode") ? "/usr/bin/osslsigncode" : undefined);
  if (!found) throw new Error("signing needs osslsigncode (Debian package osslsigncode): apt-get install osslsigncode");
  return found;
}

/** The signing key from the environment (CI secrets), or undefined when none is configured. */
export function signingKeyFromEnv(env: NodeJS.ProcessEnv = process.env): SigningKey | undefined {
  const key: SigningKey = {
    ...(env.STEWARD_SIGN_PFX ? { pfx: env.STEWARD_SIGN_PFX } : {}),
    ...(env.STEWARD_SIGN_CERT ? { certPem: env.STEWARD_SIGN_CERT } : {}),
    ...(env.STEWARD_SIGN_KEY ? { keyPem: env.STEWARD_SIGN_KEY } : {}),
    ...(env.STEWARD_SIGN_PASSWORD ? { password: env.STEWARD_SIGN_PASSWORD } : {}),
    ...(env.STEWARD_SIGN_TIMESTAMP_URL ? { timestampUrl: env.STEWARD_SIGN_TIMESTAMP_URL } : {}),
  };
  if (!key.pfx && !key.certPem && !key.keyPem) return undefined;
  return key;
}

/** Signs `file` in place (SHA-256); throws with osslsigncode's message when it refuses. */
export function signFile(file: string, key: SigningKey, description = "Steward"): void {
  if (!key.pfx && !(key.certPem && key.keyPem)) throw new Error("signing: give STEWARD_SIGN_PFX, or STEWARD_SIGN_CERT and STEWARD_SIGN_KEY");
  for (const f of [key.pfx, key.certPem, key.keyPem]) if (f && !existsSync(f)) throw new Error(`signing: ${f} does not exist`);
  const out = `${file}.signed`;
  const args = ["sign", "-h", "sha256", "-n", description];
  if (key.pfx) args.push("-pkcs12", key.pfx);
  else args.push("-certs", key.certPem!, "-key", key.keyPem!);
  // The password goes through a private file, not the command line, where any local user could read it.
  const scratch = mkdtempSync(join(tmpdir(), "steward-sign-"));
  if (key.password) {
    writeFileSync(join(scratch, "pass"), key.password, { mode: 0o600 });
    args.push("-readpass", join(scratch, "pass"));
  }
  if (key.timestampUrl) args.push("-ts", key.timestampUrl);
  args.push("-in", file, "-out", out);
  rmSync(out, { force: true });
  const r = spawnSync(osslsigncode(), args, { encoding: "utf8", timeout: 120_000 });
  rmSync(scratch, { recursive: true, force: true });
  if (r.status !== 0) {
    rmSync(out, { force: true });
    throw new Error(`osslsigncode could not sign ${file}: ${(r.stderr || r.stdout || r.error?.message || "").trim()}`);
  }
  renameSync(out, file);
}

/** osslsigncode's verification of a signed file against `caFile` (the certificate's root); its output on failure. */
export function verifySignature(file: string, caFile: string): { ok: boolean; output: string } {
  const r = spawnSync(osslsigncode(), ["verify", "-CAfile", caFile, "-in", file], { encoding: "utf8", timeout: 120_000 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
