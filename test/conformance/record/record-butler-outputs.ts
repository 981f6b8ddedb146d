// Records what the real Butler 16.0.4 sends (test/fixtures/butler-16.0.4/alerts.json and task-types.json): Butler
// runs on Node against Steward's simulator with recording-config.yaml, a real influxd 1.x, Mosquitto, an SMTP server
// and an HTTP receiver. Not a test: run by hand, `bun test/conformance/record/record-butler-outputs.ts <butler-dir>`.
import mqtt from "mqtt";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator } from "../../../src/sim";
import { startInfluxDb1, startMosquitto } from "../../helpers/services";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { startHttpReceiver, startSmtpReceiver } from "../../integration/tell/notify/receivers";
import { CORPUS_DIR } from "../corpus";
import { freeTcpPorts, freeUdpPort } from "../../helpers/free-port";
import { startButler, taskIdByName, influxPoint } from "./butler-process";

const butlerDir = process.argv[2];
if (!butlerDir) throw new Error("usage: record-butler-outputs.ts <butler 16.0.4 checkout with node_modules>");

const dir = createTempDir("butler-record-");
const sim = await startSimulator({
  certDir: join(dir.path, "certs"),
  qrsPort: 0,
  enginePort: 0,
  controlPort: 0,
  schedules: false,
  settings: { timing: { durationOverrideMs: 3000 } },
});
const [influx, broker] = await Promise.all([startInfluxDb1(), startMosquitto()]);
const hook = startHttpReceiver();
const smtp = await startSmtpReceiver();
const sub = await mqtt.connectAsync(broker.url, { clientId: "butler-record-sub" });
const messages: Array<{ topic: string; text: string }> = [];
sub.on("message", (topic, payload) => messages.push({ topic, text: payload.toString() }));
await sub.subscribeAsync("qliksense/#", { qos: 1 });
const F = join(dir.path, "files");
mkdirSync(F);
writeFileSync(join(F, "schedule.yaml"), "butlerSchedule: []\n");
const [rest, restBg] = await freeTcpPorts(2);
const udp = await freeUdpPort();
const butler = await startButler({
  butlerDir,
  workDir: dir.path,
  vars: {
    INFLUX_PORT: String(influx.port),
    MQTT_PORT: String(broker.port),
    UDP_PORT: String(udp),
    REST_PORT: String(rest),
    REST_BG_PORT: String(restBg),
    QRS_PORT: String(sim.ports.qrs),
    ENGINE_PORT: String(sim.ports.engine),
    SMTP_PORT: String(smtp.port),
    CERTS: sim.certDir,
    HOOK: hook.url,
    BUTLER: butlerDir,
    F,
  },
});
sim.settings.udp.targets = [{ host: "127.0.0.1", port: udp }];

try {
  // Butler opens its UDP port only after a 5 s wait for MQTT; it says so on this topic.
  await waitFor(() => messages.some((m) => m.topic === "qliksense/butler/task_failure_server"), { what: "Butler's UDP server", timeoutMs: 30_000 });
  const FAILED = taskIdByName(sim, "Reload Finance – Accounts payable");
  // 1. A failed reload: every alert Butler sends for it.
  const failRun = sim.tasks.start(FAILED, { outcome: "fail" });
  if (!failRun.started) throw new Error(`could not start ${FAILED}`);
  // Each receiver path's first segment names the channel (Butler adds /v1/accounts/<id>/events to the event URL).
  const paths = ["slack", "teams", "signl4", "newrelic-event", "newrelic-log", "webhook"];
  const at = (name: string) => hook.requests.find((r) => r.path.split("/")[1] === name);
  await waitFor(() => smtp.mails.length >= 2 && paths.every(at), { what: "Butler's alerts", timeoutMs: 60_000 });
  await waitFor(() => messages.some((m) => m.topic === "qliksense/task_failure_full"), { what: "task_failure_full" });
  const alerts = {
    run: `one failed run of the simulator's default-site task ${FAILED} (Reload Finance – Accounts payable), executionId ${failRun.executionId}`,
    email: smtp.mails.map((mail) => ({
      envelopeTo: mail.envelopeTo,
      subject: mail.mail.subject,
      from: mail.mail.from,
      to: mail.mail.to,
      headers: Object.fromEntries(
        mail.mail.headers.filter((h) => /^(x-priority|importance|x-msmail-priority|priority)$/i.test(h.key)).map((h) => [h.key, h.value]),
      ),
      html: mail.mail.html,
      text: mail.mail.text ?? null,
    })),
    ...Object.fromEntries(
      paths.map((p) => {
        const r = at(p)!;
        const headers = Object.fromEntries([...r.headers].filter(([k]) => !/^(host|content-length|connection|accept-encoding|user-agent)$/i.test(k)));
        let body: unknown = r.body;
        try {
          body = JSON.parse(r.body);
        } catch {}
        return [p, { method: r.method, path: r.path, query: Object.fromEntries(r.query), headers, body }];
      }),
    ),
  };
  writeFileSync(join(CORPUS_DIR, "alerts.json"), `${JSON.stringify(alerts, null, 1)}\n`);

  // 2. An aborted reload: task_aborted_full as Butler sends it.
  const ABORTED = taskIdByName(sim, "HR headcount");
  const abortRun = sim.tasks.start(ABORTED, { outcome: "succeed", durationMs: 20_000 });
  await Bun.sleep(1500);
  sim.tasks.abort(ABORTED);
  await waitFor(() => messages.some((m) => m.topic === "qliksense/task_aborted_full"), { what: "task_aborted_full", timeoutMs: 30_000 });

  // 3. External program and distribute successes: the InfluxDB points.
  const EXT = taskIdByName(sim, "Run ERP extract script");
  const DIST = taskIdByName(sim, "Distribute Sales to Cloud");
  // Butler 16.0.4 does not know the success prefix of the appender file it ships (/scheduler-task-success//):
  // its successes come from the older file's /scheduler-reloadtask-success/ (both files run, as on a site that kept the old one).
  sim.settings.udp.generation = "both";
  const extRun = sim.tasks.start(EXT, { outcome: "succeed" });
  const distRun = sim.tasks.start(DIST, { outcome: "succeed" });
  const ext = await waitFor(() => influxPoint(influx.url, "external_program_task_success"), { what: "external_program_task_success", timeoutMs: 60_000 });
  const dist = await waitFor(() => influxPoint(influx.url, "distribute_task_success"), { what: "distribute_task_success", timeoutMs: 90_000 });
  const taskTypes = {
    runs: {
      aborted: `the simulator's default-site task ${ABORTED} (Reload HR headcount) aborted 1.5 s into a run, executionId ${abortRun.executionId}`,
      external_program_task_success: `task ${EXT} (Run ERP extract script), executionId ${extRun.executionId}`,
      distribute_task_success: `task ${DIST} (Distribute Sales to Cloud), executionId ${distRun.executionId}`,
    },
    mqtt_task_aborted: messages.filter((m) => m.topic === "qliksense/task_aborted").map((m) => m.text),
    mqtt_task_aborted_full: JSON.parse(messages.find((m) => m.topic === "qliksense/task_aborted_full")!.text),
    influxdb_v1: { external_program_task_success: ext, distribute_task_success: dist },
  };
  writeFileSync(join(CORPUS_DIR, "task-types.json"), `${JSON.stringify(taskTypes, null, 1)}\n`);
  console.log("recorded alerts.json and task-types.json");
} catch (err) {
  console.error(butler.output().slice(-12000));
  console.error({ mails: smtp.mails.length, hooks: hook.requests.map((r) => r.path), topics: messages.map((m) => m.topic) });
  throw err;
} finally {
  await butler.stop();
  await sub.endAsync();
  await sim.stop();
  await hook.stop();
  await smtp.stop();
  await Promise.all([influx.stop(), broker.stop()]);
  dir.remove();
}
