// Throw-away PKI for the TLS tests, made with the openssl CLI: a CA, a server certificate for 127.0.0.1, client
// certificates signed by that CA, and one signed by an unrelated CA.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Pki {
  dir: string;
  caPem: string;
  /** Paths, for the config file. */
  files: { ca: string; serverCert: string; serverKey: string };
  client(name: string): { cert: string; key: string; fingerprint256: string };
}

function openssl(args: string[], cwd: string): string {
  const r = Bun.spawnSync(["openssl", ...args], { cwd, stdout: "pipe", stderr: "pipe", timeout: 30_000 });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/**
 * The CAs' and clients' keys are P-256: what the tests check of them (names, chains, fingerprints, usages) does not
 * depend on the key type, and an RSA key of 2048 bits took openssl 0.1-0.3 s of CPU to make, six or more per file (a
 * child waiting for a core beside a busy suite holds its test file as long). The server's key stays RSA, the kind
 * an administrator's certificate has.
 */
const NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"];
const NEW_RSA_KEY = ["-newkey", "rsa:2048"];

function makeCa(dir: string, name: string): void {
  openssl(["req", "-x509", ...NEW_KEY, "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=${name}`], dir);
}

function issue(dir: string, ca: string, name: string, cn: string, ext?: string, key = NEW_KEY): void {
  openssl(["req", ...key, "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}/O=Steward tests`], dir);
  const args = ["x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "2"];
  if (ext) {
    writeFileSync(join(dir, `${name}.ext`), ext);
    args.push("-extfile", `${name}.ext`);
  }
  openssl(args, dir);
}

export function createPki(dir: string): Pki {
  makeCa(dir, "ca");
  makeCa(dir, "rogue-ca");
  issue(dir, "ca", "server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\n", NEW_RSA_KEY);
  const issued = new Set<string>();
  return {
    dir,
    caPem: readFileSync(join(dir, "ca.pem"), "utf8"),
    files: { ca: join(dir, "ca.pem"), serverCert: join(dir, "server.pem"), serverKey: join(dir, "server.key") },
    client(name) {
      if (!issued.has(name)) {
        // X.509 v3 with the client-auth usage, as real client certificates are (Deno's TLS refuses v1 ones).
        issue(dir, name.startsWith("rogue") ? "rogue-ca" : "ca", name, name, "extendedKeyUsage=clientAuth\n");
        issued.add(name);
      }
      const fp = openssl(["x509", "-in", `${name}.pem`, "-noout", "-fingerprint", "-sha256"], dir)
        .trim()
        .split("=")[1]!;
      return { cert: readFileSync(join(dir, `${name}.pem`), "utf8"), key: readFileSync(join(dir, `${name}.key`), "utf8"), fingerprint256: fp };
    },
  };
}
