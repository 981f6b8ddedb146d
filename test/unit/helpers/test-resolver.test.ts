// The test Stewards' resolver (test-resolver.ts): the sites' names no DNS server knows are not found at once, others
// go to the system's resolver; and a Steward resolves its Qlik nodes' names with the resolver it is given
// (AppOptions.resolve), the one createTestApp gives it, so a test Steward's start does not wait on DNS for them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createApp } from "../../../src/app";
import { stewardConfigReader } from "../../../src/composition/config";
import { createSilentLogger } from "../../../src/platform/core/logger";
import { type Simulator, startSimulator } from "../../../src/sim";
import { simCertDir } from "../../helpers/sim-certs";
import { createTempDir } from "../../helpers/temp-dir";
import { testResolve, unknowableName } from "../../helpers/test-resolver";

const dir = createTempDir();
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ certDir: simCertDir(join(dir.path, "sim-certs")), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
});
afterAll(async () => {
  await sim?.stop();
  dir.remove();
});

test("names under .example, .invalid and .test, and single labels the hosts file lacks, are unknowable; others are not", () => {
  for (const n of ["sense1.corp.example", "SENSE2.CORP.EXAMPLE.", "qrs.invalid", "node.test", "SENSE3"]) expect(unknowableName(n)).toBe(true);
  for (const n of ["localhost", "127.0.0.1", "::1", "example.com", "qlik.corp.example.com"]) expect(unknowableName(n)).toBe(false);
});

test("an unknowable name is not found at once, localhost is asked of the system", async () => {
  await expect(testResolve("sense1.corp.example")).rejects.toMatchObject({ code: "ENOTFOUND" });
  expect(await testResolve("localhost")).toContain("127.0.0.1");
});

test("a Steward resolves the nodes QRS lists with the resolver it is given", async () => {
  const asked: string[] = [];
  const resolve = async (name: string) => {
    asked.push(name);
    return name === "sense2.corp.example" ? ["127.0.0.42"] : [];
  };
  const yaml = `http: { port: 0 }\nudp: { host: 127.0.0.1, port: 0 }\nqlik:\n  host: 127.0.0.1\n  qrsPort: ${sim.ports.qrs}\n  certDir: ${JSON.stringify(sim.certDir)}\n  retries: 0\n`;
  const loaded = stewardConfigReader.parseConfigText(yaml, "test.yaml", join(dir.path, "steward"));
  const app = createApp(loaded, { log: createSilentLogger(), resolve });
  await app.start();
  try {
    expect(asked).toEqual(expect.arrayContaining(["sense1.corp.example", "sense2.corp.example"]));
    // What it answered is who may send: sense2 at the address the resolver gave, nobody at another.
    expect(app.intake.sources.allows("127.0.0.42")).toBe(true);
    expect(app.intake.sources.allows("127.0.0.43")).toBe(false);
  } finally {
    await app.stop();
  }
});
