// Records what the real Butler 16.0.4 answers to the 38 load-script sub calls of subs-calls.ts
// (test/fixtures/butler-16.0.4/subs.json), with the QRS task starts each call made on Steward's simulator. Not a
// test: run by hand, `bun test/conformance/record/record-butler-subs.ts <butler-dir>`.
import mqtt from "mqtt";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator } from "../../../src/sim";
import { freeTcpPorts, freeUdpPort } from "../../helpers/free-port";
import { startMosquitto } from "../../helpers/services";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { startHttpReceiver } from "../../integration/tell/notify/receivers";
import { CORPUS_DIR, readAnswer, requestInit, substitute, type CorpusStep } from "../corpus";
import { startButler } from "./butler-process";
import { prepareSubsFolder, qrsStartsSince } from "./subs-site";
import { SUB_CALLS } from "./subs-calls";

const butlerDir = process.argv[2];
if (!butlerDir) throw new Error("usage: record-butler-subs.ts <butler 16.0.4 checkout with node_modules>");

const dir = createTempDir("butler-subs-");
const sim = await startSimulator({
  certDir: join(dir.path, "certs"),
  qrsPort: 0,
  enginePort: 0,
  controlPort: 0,
  schedules: false,
  settings: { timing: { timeScale: 0.1 } },
});
const broker = await startMosquitto();
const hook = startHttpReceiver();
const F = join(dir.path, "files");
mkdirSync(F);
prepareSubsFolder(F);
const [rest, restBg, influxPort] = await freeTcpPorts(3);
const messages: string[] = [];
const sub = await mqtt.connectAsync(broker.url, { clientId: "butler-subs-sub" });
sub.on("message", (topic) => messages.push(topic));
await sub.subscribeAsync("qliksense/#", { qos: 1 });
const butler = await startButler({
  butlerDir,
  workDir: dir.path,
  vars: {
    // No InfluxDB for this recording: nothing is written there.
    INFLUX_PORT: String(influxPort),
    MQTT_PORT: String(broker.port),
    UDP_PORT: String(await freeUdpPort()),
    REST_PORT: String(rest),
    REST_BG_PORT: String(restBg),
    QRS_PORT: String(sim.ports.qrs),
    ENGINE_PORT: String(sim.ports.engine),
    SMTP_PORT: "25",
    CERTS: sim.certDir,
    HOOK: hook.url,
    BUTLER: butlerDir,
    F,
  },
});
try {
  await waitFor(() => messages.includes("qliksense/butler/task_failure_server"), { what: "Butler ready", timeoutMs: 30_000 });
  const steps: CorpusStep[] = [];
  for (const [i, call] of SUB_CALLS.entries()) {
    const step: CorpusStep = { step: i, name: call.name, method: call.method, path: call.path, butler: { status: 0, json: undefined } };
    if (call.headers) step.headers = call.headers;
    if (call.body !== undefined) step.body = call.body;
    const seq = sim.requests.list().at(-1)?.seq ?? 0;
    let answer: CorpusStep["butler"];
    try {
      const r = await fetch(`${butler.restUrl}${substitute(call.path, { F })}`, substitute(requestInit(step), { F }));
      const a = await readAnswer(r);
      answer = { status: a.status, contentType: r.headers.get("content-type") ?? undefined, json: a.json ?? null, text: a.json === undefined ? a.text : null };
    } catch {
      answer = { status: "EXC", json: null };
    }
    // Butler starts tasks after it answered; give its QRS calls a moment.
    await Bun.sleep(1500);
    const starts = qrsStartsSince(sim, seq);
    if (starts.length) answer.qrsTaskStarts = starts;
    step.butler = answer;
    steps.push(step);
  }
  // The folder's path differs per run: it is written back as {F}.
  const text = JSON.stringify(steps, null, 1).replaceAll(F, "{F}");
  writeFileSync(join(CORPUS_DIR, "subs.json"), `${text}\n`);
  console.log(`recorded ${steps.length} sub calls; Slack got ${hook.requests.length} request(s)`);
} catch (err) {
  console.error(butler.output().slice(-8000));
  throw err;
} finally {
  await butler.stop();
  await sub.endAsync();
  await sim.stop();
  await hook.stop();
  await broker.stop();
  dir.remove();
}
