// Replays Butler 16.0.4's recorded task starts (task-start.json) against Steward and the simulator's default site
// (the site Butler was recorded against): same status and body, and — what the answer really means — the same
// QRS task starts. Intended differences (docs/switching-from-butler.md, "Differences from Butler") are checked as Steward's own answer.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startSimulator, type Simulator } from "../../src/sim";
import { createTestApp, type TestApp } from "../helpers/app";
import { createTempDir, type TempDir } from "../helpers/temp-dir";
import { compareWithButler, loadCorpus, readAnswer, requestInit } from "./corpus";
import { differenceFor } from "./butler-differences";
import { simCertDir } from "../helpers/sim-certs";

const STEPS = loadCorpus("task-start");
let certs: TempDir;
let sim: Simulator;
let t: TestApp;

beforeAll(async () => {
  certs = createTempDir("steward-conf-certs-");
  sim = await startSimulator({
    certDir: simCertDir(certs.path),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { timing: { timeScale: 0.1 } },
  });
  t = createTestApp(`qlik:\n  host: 127.0.0.1\n  qrsPort: ${sim.ports.qrs}\n  enginePort: ${sim.ports.engine}\n  certDir: ${certs.path}\n  retries: 0\n`);
  await t.app.start();
}, 60_000);

afterAll(async () => {
  await t?.close();
  await sim?.stop();
  certs?.remove();
});

/** The QRS task starts since `seq`, as Butler's recording lists them (sorted: Steward starts in parallel). */
function qrsStartsSince(seq: number): string[] {
  return sim.requests
    .list({ source: "qrs", sinceSeq: seq, method: "POST" })
    .flatMap((r) => {
      const m = /^\/qrs\/task\/([0-9a-f-]{36})\/start/i.exec(r.path);
      return m ? [`/qrs/task/${m[1]!.toLowerCase()}/start`] : [];
    })
    .sort();
}

for (const step of STEPS) {
  test(`task-start ${step.step}: ${step.name}`, async () => {
    const seq = sim.requests.list().at(-1)?.seq ?? 0;
    const got = await readAnswer(await t.request(step.path, requestInit(step)));
    const diff = differenceFor("task-start", step.step);
    const problems = diff
      ? got.status === diff.status
        ? (diff.check?.(got, step.butler) ?? [])
        : [`intended difference: expected Steward's ${diff.status}, got ${got.status}: ${got.text.slice(0, 300)}`]
      : compareWithButler(step.butler, got);
    const starts = qrsStartsSince(seq);
    const butlerStarts = [...(step.butler.qrsTaskStarts ?? [])].sort();
    if (!diff && JSON.stringify(starts) !== JSON.stringify(butlerStarts))
      problems.push(`QRS starts: Butler ${JSON.stringify(butlerStarts)}, Steward ${JSON.stringify(starts)}`);
    expect(problems).toEqual([]);
  });
}

test('the keyvaluestore items were stored on the way ("0" and "" TTLs: no expiry)', async () => {
  expect(await t.app.kv!.get("startns", "k1")).toMatchObject({ value: "v1", ttl: 60000 });
  expect(await t.app.kv!.get("startns", "k2")).toMatchObject({ value: "v2", ttl: 0 });
  expect(await t.app.kv!.get("startns", "k3")).toMatchObject({ value: "v3", ttl: 0 });
});
