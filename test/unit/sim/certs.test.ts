// Certificates in pure TypeScript: a chain that verifies, the QMC file names, reuse, and refusing foreign sets.
import { afterAll, describe, expect, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CERT_FILES, ensureCerts, SimError } from "../../../src/sim";
import { certSetProblem } from "../../../src/sim/certs/ensure";
import { createTempDir } from "../../helpers/temp-dir";
import { wallLimit } from "../../helpers/time-limit";

const dirs: { remove(): void }[] = [];
const tmp = () => {
  const d = createTempDir("steward-sim-certs-unit-");
  dirs.push(d);
  return d.path;
};
afterAll(() => dirs.forEach((d) => d.remove()));

describe("sim certificates", () => {
  const dir = tmp();
  const set = ensureCerts(dir, { hostNames: ["sense1.corp.example"] });

  test("writes root.pem, client.pem, client_key.pem, server.pem, server_key.pem", () => {
    expect(set.generated).toBe(true);
    for (const f of Object.values(CERT_FILES)) expect(statSync(join(dir, f)).size).toBeGreaterThan(500);
    expect(readFileSync(join(dir, "client_key.pem"), "utf8")).toStartWith("-----BEGIN RSA PRIVATE KEY-----");
  });

  test("the chain verifies; the server cert covers localhost, 127.0.0.1, ::1 and extra names; the client is QlikClient", () => {
    const ca = new X509Certificate(set.ca);
    const server = new X509Certificate(set.serverCert);
    const client = new X509Certificate(set.clientCert);
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost("localhost")).toBe("localhost");
    expect(server.checkHost("sense1.corp.example")).toBe("sense1.corp.example");
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(server.checkIP("::1")).toBeDefined();
    expect(client.subject).toContain("CN=QlikClient");
    expect(certSetProblem(set, ["sense1.corp.example"])).toBeUndefined();
  });

  test("a valid set is reused as is", () => {
    const again = ensureCerts(dir, { hostNames: ["sense1.corp.example"] });
    expect(again.generated).toBe(false);
    expect(again.clientCert).toBe(set.clientCert);
  });

  // Two certificate sets made here, about 0.3 CPU s each: past the default 5 s beside four busy loops at load 30.
  test(
    "a set the simulator made is regenerated when it no longer fits (new host name, broken file)",
    () => {
      const wider = ensureCerts(dir, { hostNames: ["sense9.corp.example"] });
      expect(wider.generated).toBe(true);
      writeFileSync(join(dir, "client.pem"), "garbage");
      expect(ensureCerts(dir).generated).toBe(true);
    },
    wallLimit(30_000),
  );

  test("certificates the simulator did not make are never overwritten", () => {
    const foreign = tmp();
    writeFileSync(join(foreign, "client.pem"), "a real QMC export would be here");
    expect(() => ensureCerts(foreign)).toThrow(SimError);
    expect(readFileSync(join(foreign, "client.pem"), "utf8")).toBe("a real QMC export would be here");
  });
});
