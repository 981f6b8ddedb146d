// Steward configured as switch-over day makes it: Butler's recording config (test/fixtures/butler-16.0.4/
// recording-config.yaml) converted by the importer, pointed at this test's simulator, influxd, Mosquitto, SMTP
// server and HTTP receiver, so its outputs compare with what Butler sent from the same file.
import mqtt, { type MqttClient } from "mqtt";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { convertButlerConfig } from "../../src/platform/config/butler-import";
import { startSimulator, type Simulator } from "../../src/sim";
import { createTestApp, type TestApp } from "../helpers/app";
import { createInfluxDb1Database, startInfluxDb1, startMosquitto, type TestService } from "../helpers/services";
import { simCertDir } from "../helpers/sim-certs";
import { createTempDir, type TempDir } from "../helpers/temp-dir";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../integration/tell/notify/receivers";
import { recordingConfig } from "./record/butler-process";

export interface ImportedSite {
  sim: Simulator;
  t: TestApp;
  influx: TestService;
  broker: TestService;
  hook: HttpReceiver;
  smtp: SmtpReceiver;
  messages: Array<{ topic: string; text: string }>;
  /** The folder Butler's file settings name ({F} of recording-config.yaml). */
  F: string;
  close(): Promise<void>;
}

type Obj = Record<string, any>;

export async function startImportedSite(opts: { durationMs: number; prepare?: (F: string) => void }): Promise<ImportedSite> {
  const dir: TempDir = createTempDir("steward-imported-site-");
  const sim = await startSimulator({
    certDir: simCertDir(join(dir.path, "certs")), // the suite's cached set (test/helpers/sim-certs.ts)
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: opts.durationMs } },
  });
  const [influx, broker] = await Promise.all([startInfluxDb1(), startMosquitto()]);
  const hook = startHttpReceiver();
  const smtp = await startSmtpReceiver();
  const messages: Array<{ topic: string; text: string }> = [];
  let sub: MqttClient | undefined;
  let t: TestApp | undefined;
  const close = async () => {
    await sub?.endAsync();
    await t?.close();
    await sim.stop();
    await hook.stop();
    await smtp.stop();
    await Promise.all([influx.stop(), broker.stop()]);
    dir.remove();
  };
  try {
    await createInfluxDb1Database(influx, "butler");
    sub = await mqtt.connectAsync(broker.url, { clientId: "imported-site-sub" });
    sub.on("message", (topic, payload) => messages.push({ topic, text: payload.toString() }));
    await sub.subscribeAsync("qliksense/#", { qos: 1 });
    t = createTestApp(stringify(stewardConfig(sim, influx, broker, hook, smtp, dir.path)));
    opts.prepare?.(join(dir.path, "files"));
    await t.app.start();
    sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
  } catch (err) {
    await close();
    throw err;
  }
  return { sim, t, influx, broker, hook, smtp, messages, F: join(dir.path, "files"), close };
}

/** What the importer makes of Butler's recording config for these services, on this test's own ports. */
function stewardConfig(sim: Simulator, influx: TestService, broker: TestService, hook: HttpReceiver, smtp: SmtpReceiver, dir: string): Obj {
  const F = join(dir, "files");
  mkdirSync(F);
  const butlerYaml = recordingConfig({
    INFLUX_PORT: String(influx.port),
    MQTT_PORT: String(broker.port),
    UDP_PORT: "9998",
    REST_PORT: "8080",
    REST_BG_PORT: "8081",
    QRS_PORT: String(sim.ports.qrs),
    ENGINE_PORT: String(sim.ports.engine),
    SMTP_PORT: String(smtp.port),
    CERTS: sim.certDir,
    HOOK: hook.url,
    BUTLER: join(dir, "butler"),
    F,
  });
  const c = convertButlerConfig(butlerYaml, "butler.yaml").config as Obj;
  c.http = { ...c.http, port: 0 };
  c.udp = { ...c.udp, port: 0 };
  // Quicker QRS re-reads than a production site needs.
  c.intake = { ...c.intake, enrichment: { ...c.intake?.enrichment, lookupTimeoutMs: 2000, finalStatusAttempts: 30, finalStatusDelayMs: 100 } };
  return c;
}
