// Butler config import on every key of Butler 16.0.4's config template with every feature switched on, on the
// InfluxDB layouts of Butler 9–16 (flat keys, v1Config, v2Config, v3Config), and on the settings an import used to
// lose: e-mail success alerts, global InfluxDB tags, taskAbortedSendFull, endpoint flags of a switched-off REST
// server, and createDir's missing allow-list.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { convertButlerConfig, renderConfig, renderReport, type ConvertResult } from "../../../src/platform/config/butler-import";
import { parseConfigText } from "../../../src/composition/config";
import { createTempDir } from "../../helpers/temp-dir";

const FIXTURES = resolve(import.meta.dir, "../../fixtures/butler");
const FULL = readFileSync(join(FIXTURES, "butler-full-template.yaml"), "utf8");
const SEED_LAYOUT = readFileSync(join(FIXTURES, "butler-influx-seed-layout.yaml"), "utf8");
/** Every key path of Butler 16.0.4's config schema (src/lib/assert/config-file-schema.js), `[]` for list items. */
const BUTLER_KEYS = readFileSync(join(FIXTURES, "butler-16.0.4-config-keys.txt"), "utf8").trim().split("\n");
const tmp = createTempDir();
afterAll(() => tmp.remove());

type Any = Record<string, any>;

const convert = (text: string) => convertButlerConfig(text, "butler.yaml");
/** The full fixture with one change. */
function variant(edit: (butler: Any) => void): string {
  const doc = parse(FULL) as Any;
  edit(doc.Butler);
  return stringify(doc);
}
/** The converted config as `steward config check` loads it: schema-valid, defaults filled in. */
const load = (r: ConvertResult): Any => parseConfigText(renderConfig(r, "butler.yaml"), "converted.yaml", tmp.path, { env: {} }).config as Any;
const unknownKeys = (r: ConvertResult) => r.report.unmapped.filter((u) => u.reason.startsWith("not a Butler key")).flatMap((u) => u.leaves);
const reasonFor = (r: ConvertResult, leaf: string) => r.report.unmapped.find((u) => u.leaves.includes(leaf))?.reason;
/** A converted route by name (undefined when there is none). */
const routeIn = (c: Any, name: string): Any => (c.routes as Any[]).find((r) => r.name === name) as Any;
const offKeys = (r: ConvertResult) => r.report.off.map((o) => o.key);
const isOff = (r: ConvertResult, leaf: string) => r.report.off.some((o) => leaf === o.key || leaf.startsWith(`${o.key}.`) || leaf.startsWith(`${o.key}[`));

/** Leaf paths of a parsed YAML document, list indexes written as `[]`. */
function leafPaths(doc: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (v !== null && typeof v === "object") {
      const entries = Array.isArray(v) ? v.map((x) => ["[]", x] as const) : Object.entries(v);
      if (entries.length === 0) out.push(path);
      for (const [k, x] of entries) walk(x, k === "[]" ? `${path}[]` : path ? `${path}.${k}` : k);
    } else out.push(path);
  };
  walk(doc, "");
  return out;
}

describe("Butler's full config template, every feature on", () => {
  const result = convert(FULL);
  const c = load(result);
  const route = (name: string) => routeIn(c, name);

  test("the fixtures hold every key of Butler 16.0.4's config schema (the older flat InfluxDB keys in the seed-layout one)", () => {
    const have = [...leafPaths(parse(FULL)), ...leafPaths(parse(SEED_LAYOUT))];
    const missing = BUTLER_KEYS.filter((k) => !have.some((l) => l === k || l.startsWith(`${k}.`) || l.startsWith(`${k}[`)));
    expect(missing).toEqual([]);
    expect(BUTLER_KEYS.length).toBeGreaterThan(600);
  });

  test("every key is converted or named with its reason; none is unknown", () => {
    expect(unknownKeys(result)).toEqual([]);
    const leaves = leafPaths(parse(FULL)).length;
    const counted =
      result.report.mapped + result.report.unmapped.reduce((n, u) => n + u.leaves.length, 0) + result.report.off.reduce((n, o) => n + o.leaves, 0);
    expect(counted).toBe(leaves);
    for (const u of result.report.unmapped) expect(u.reason.length).toBeGreaterThan(10);
  });

  test("with every feature on, only settings Butler itself did not use are reported as off", () => {
    expect(offKeys(result)).toEqual([
      "Butler.influxDb.v2Config",
      "Butler.influxDb.v3Config",
      "Butler.influxDb.reloadTaskSuccess.allReloadTasks",
      "Butler.emailNotification.reloadTaskFailure.alertEnableByCustomProperty",
      "Butler.emailNotification.distributeTaskSuccess.alertEnableByCustomProperty",
      "Butler.emailNotification.distributeTaskFailure.alertEnableByCustomProperty",
      "Butler.emailNotification.preloadTaskSuccess.alertEnableByCustomProperty",
      "Butler.emailNotification.preloadTaskFailure.alertEnableByCustomProperty",
    ]);
  });

  test("converted values, one by one", () => {
    expect(c.logging.level).toBe("debug");
    expect(c.http).toMatchObject({ host: "0.0.0.0", port: 8180 });
    expect(c.security.tls).toMatchObject({ certFile: "D:\\Butler\\certs\\rest.pem", keyFile: "D:\\Butler\\certs\\rest-key.pem" });
    expect(c.security.allowUnauthenticated).toBe(true);
    expect(c.udp).toMatchObject({ host: "0.0.0.0", port: 9998, allowedSources: ["10.1.2.11", "10.1.2.12"], maxDatagramBytes: 16384 });
    expect(c.intake).toMatchObject({ queueSize: 500, concurrency: 8, backpressureWarnRatio: 0.75, dedupe: { enabled: true, ttlHours: 0.5 } });
    expect(c.qlik).toMatchObject({ host: "qlik1.corp.example", qrsPort: 4242, enginePort: 4747, userDirectory: "INTERNAL", userId: "sa_api" });
    expect(c.qlik).toMatchObject({
      clientCert: "D:\\Butler\\certs\\client.pem",
      clientKey: "D:\\Butler\\certs\\client_key.pem",
      rootCa: "D:\\Butler\\certs\\root.pem",
    });
    expect(c.qlik).toMatchObject({ qmcUrl: "https://qlik.corp.example/qmc", hubUrl: "https://qlik.corp.example/hub" });
    expect(c.control.startTaskFilter).toEqual({
      enabled: true,
      taskIds: ["5d6e7f80-1a2b-4c3d-8e4f-5a6b7c8d9e0f"],
      tags: ["Startable"],
      customProperties: [{ name: "StartFromScript", value: "Yes" }],
    });
    expect(c.control.slack.webhookUrl).toBe("https://hooks.slack.com/services/T000/B000/restmessage");
    expect(c.mqtt).toMatchObject({ url: "mqtts://mqtt.corp.example:8883", clientId: "steward-north", taskStart: { topic: "corp/qlik/start_task" } });
    expect(c.mqtt.tls).toMatchObject({ cert: "D:\\Butler\\certs\\mqtt-client.pem", key: "D:\\Butler\\certs\\mqtt-client-key.pem" });
    expect(c.kv).toMatchObject({ enabled: true, maxKeysPerNamespace: 2500 });
    // Per-key and per-value sizes stay Steward's defaults (which hold what Butler accepted); the import sets none.
    expect(Object.keys(result.config.kv as Any)).toEqual(["enabled", "maxKeysPerNamespace"]);
    expect(c.files.copy).toEqual([
      { from: "D:\\QlikData\\landing", to: "D:\\QlikData\\archive" },
      { from: "D:\\QlikData\\exports", to: "\\\\fileserver\\qlik\\outbox" },
    ]);
    expect(c.files.move).toEqual([{ from: "D:\\QlikData\\landing", to: "D:\\QlikData\\processed" }]);
    expect(c.files.delete).toEqual(["D:\\QlikData\\landing", "D:\\QlikData\\tmp"]);
    // The QVD root is where Butler's config says load scripts create folders: createdir keeps working there.
    expect(c.files).toMatchObject({ qvdRoot: "D:\\QlikData\\QVD", allowUnc: true, createDir: ["D:\\QlikData\\QVD"], allowDirectoryDelete: false });
    expect(c.scheduler.enabled).toBe(true);
    expect(result.report.review).toContainEqual(
      expect.stringMatching(/^Several Qlik nodes: schedules \(and key-value pairs\) live in this Steward.s data folder\./),
    );
    expect(c.heartbeat).toMatchObject({ url: "https://uptime.corp.example/ping/butler-prod", interval: 120_000 });
    expect(c.uptimeMonitor).toMatchObject({ interval: 600_000, logLevel: "debug", influxChannel: "influxdb" });
    expect(c.serviceMonitor.interval).toBe(45_000);
    expect(c.serviceMonitor.windows[0]).toEqual({
      host: "qlik1.corp.example",
      services: [
        { name: "QlikSenseEngineService", friendlyName: "Engine" },
        { name: "QlikSenseSchedulerService", friendlyName: "Scheduler" },
      ],
    });
    expect(c.notify.links.map((l: Any) => l.id)).toEqual(["runbook", "status"]);

    expect(c.channels.email.smtp).toMatchObject({
      host: "smtp.corp.example",
      port: 587,
      security: "starttls",
      servername: "mail.corp.example",
      auth: { user: "qlik-mailer", password: "smtp-secret-2" },
    });
    expect(c.channels.email.from).toBe("Qlik <qlik-noreply@corp.example>");
    expect(route("email-reload-task-failure")).toMatchObject({
      taskTypes: ["reload"],
      rateLimit: 450_000,
      recipients: {
        addresses: ["qlik-ops@corp.example", "bi-team@corp.example"],
        fromCustomProperty: "Steward_FailedMailTo",
        appOwner: { include: "all", exclude: ["CORP\\svc_qlik"] },
      },
    });
    expect(route("email-reload-task-aborted").recipients).toMatchObject({
      enableByCustomProperty: { name: "Steward_AbortedMail", value: "Yes" },
      appOwner: { include: ["CORP\\maria", "CORP\\jonas"] },
    });
    // Was dropped as "off in Butler".
    expect(route("email-reload-task-success")).toMatchObject({
      on: ["task.succeeded"],
      taskTypes: ["reload"],
      rateLimit: 900_000,
      recipients: {
        addresses: ["bi-team@corp.example"],
        enableByCustomProperty: { name: "Steward_SuccessMail", value: "Yes" },
        fromCustomProperty: "Steward_SuccessMailTo",
      },
    });
    expect(
      ["distribute-task-failure", "distribute-task-success", "preload-task-failure", "preload-task-success", "service-stopped", "service-started"].every((n) =>
        route(`email-${n}`),
      ),
    ).toBe(true);

    expect(c.channels.slack).toMatchObject({
      webhookUrl: "https://hooks.slack.com/services/T000/B001/failed",
      channel: "qlik-alerts",
      username: "Qlik Steward",
      iconEmoji: ":rotating_light:",
      scriptLogLines: { head: 5, tail: 20 },
    });
    expect(route("slack-reload-task-failure")).toMatchObject({ to: ["slack"], rateLimit: 120_000 });
    expect(route("teams-reload-task-aborted").to).toEqual(["teams-2"]);
    expect(c.channels["teams-2"].webhookUrl).toBe("https://prod-01.westeurope.logic.azure.com:443/workflows/teams-aborted");
    expect(route("teams-service-started").to).toEqual(["teams-3"]);
    expect(route("webhook-reload-task-failure").to).toEqual(["webhook-incident-bridge", "webhook-audit-log"]);
    expect(c.channels["webhook-audit-log"]).toMatchObject({ url: "http://audit.corp.example:8088/qlik", method: "PUT" });
    expect(c.channels["webhook-incident-bridge"].ca).toBe("D:\\Butler\\certs\\corp-ca.pem");
    expect(route("webhook-service-monitor")).toMatchObject({ on: ["service.stopped", "service.started"], to: ["webhook-ops-board"], rateLimit: 90_000 });

    expect(c.channels.influxdb).toMatchObject({
      version: 1,
      url: "http://influx.corp.example:8087",
      database: "qlik_events",
      retentionPolicy: { name: "keep30d", duration: "30d" },
      username: "butler_writer",
      password: "influx-secret-1",
      butlerTagTypo: true,
    });
    // Each event block's tags and log lengths stay on its own measurement, as Butler wrote them.
    expect(c.channels.influxdb.measurements.reload_task_failed).toMatchObject({ tags: { event_group: "reload" }, scriptLogLines: { tail: 30 } });
    expect(c.channels.influxdb.measurements.reload_task_success).toMatchObject({ tags: { event_group: "reload" }, scriptLogLines: { head: 12, tail: 30 } });
    expect(c.channels.influxdb.measurements.user_sync_task_failed.tags).toEqual({ event_group: "usersync" });
    expect(c.intake.enrichment.scriptLog.onSuccess).toBe(true);
    // Global static tags were reported as unknown keys and dropped.
    expect(c.channels.influxdb.tags).toMatchObject({ site: "north", env: "prod" });
    expect(reasonFor(result, "Butler.influxDb.tag.static[0].name")).toBeUndefined();
    expect(route("influxdb-failed").taskTypes).toEqual(["reload", "externalProgram", "userSync", "distribute", "preload"]);
    expect(route("influxdb-succeeded").taskTypes).toEqual(["externalProgram", "userSync", "distribute", "preload"]);
    expect(route("influxdb-reload-succeeded-by-custom-property").taskCustomProperties).toEqual([{ name: "Steward_SuccessToInflux", value: "On" }]);
    expect(route("influxdb-services").to).toEqual(["influxdb"]);

    // taskAbortedSendFull: false was merged into sendFull: true.
    expect(route("mqtt-task-failure")).toMatchObject({ on: ["task.failed"], to: ["mqtt"] });
    expect(route("mqtt-task-aborted")).toMatchObject({ on: ["task.aborted"], to: ["mqtt-2"] });
    expect(c.channels.mqtt.butlerTopics).toMatchObject({ sendFull: true, taskFailureFull: "corp/qlik/task_failure_full" });
    expect(c.channels["mqtt-2"].butlerTopics).toMatchObject({ sendFull: false, taskAborted: "corp/qlik/task_aborted" });
    expect(c.channels["mqtt-2"]).toMatchObject({ url: "mqtts://mqtt.corp.example:8883", tls: { cert: "D:\\Butler\\certs\\mqtt-client.pem" } });
    expect(c.channels["mqtt-2"].clientId).toBeUndefined();
  });

  test("passwords and tokens copied in clear text are named in the review", () => {
    expect(result.report.review).toContainEqual(
      expect.stringMatching(
        /^Secrets copied from the Butler file in clear text: channels\.email\.smtp\.auth\.password, channels\.influxdb\.password, newRelic\.accounts\[0\]\.insertApiKey\. /,
      ),
    );
    const v2 = convert(variant((b) => (b.influxDb.version = 2)));
    expect(v2.report.review.find((n) => n.startsWith("Secrets copied"))).toContain("channels.influxdb.token");
  });

  test("New Relic, SIGNL4, license and version monitoring convert, value by value", () => {
    const c = load(result);
    // New Relic: accounts from thirdPartyToolsCredentials, URLs, Butler's REST routes, alert channels.
    expect(c.newRelic.accounts).toEqual([{ name: "NR Ops", accountId: "4455667", insertApiKey: "nr-insert-key-0001" }]);
    expect(c.newRelic.eventUrl).toBe("https://insights-collector.eu01.nr-data.net");
    expect(c.newRelic.logUrl).toBe("https://log-api.eu.newrelic.com/log/v1");
    const failedEvent = c.channels["newrelic-failed-event"];
    expect(failedEvent).toMatchObject({
      type: "newrelic",
      accounts: ["NR Ops"],
      accountsFromCustomProperty: "Steward_NrFailedEvent",
      event: true,
      log: false,
      headers: { "X-Site": "north" },
      attributes: { site: "north", kind: "failed-event" },
    });
    expect(c.channels["newrelic-failed-log"]).toMatchObject({ event: false, log: true, logTailLines: 25, accountsFromCustomProperty: "Steward_NrFailedLog" });
    expect(routeIn(c, "newrelic-failed")).toMatchObject({ on: ["task.failed"], to: ["newrelic-failed-event", "newrelic-failed-log"], rateLimit: 20_000 });
    expect(routeIn(c, "newrelic-aborted").on).toEqual(["task.aborted"]);
    expect(routeIn(c, "newrelic-services").on).toEqual(["service.stopped", "service.started"]);
    expect(reasonFor(result, "Butler.uptimeMonitor.storeNewRelic.url")).toContain("not to New Relic");
    // SIGNL4: one channel per service name, severities per kind, resolve routes added.
    const s4 = Object.values(c.channels as Record<string, Any>).find((ch) => ch.type === "signl4");
    expect(s4).toMatchObject({ url: "https://connect.signl4.com/webhook/team-north", serviceName: "Qlik Sense North", severity: { failed: 2, aborted: 3 } });
    expect(routeIn(c, "signl4-failed")).toMatchObject({ on: ["task.failed"], rateLimit: 30_000 });
    expect(routeIn(c, "signl4-resolve-failed").on).toEqual(["task.succeeded"]);
    expect(reasonFor(result, "Butler.incidentTool.signl4.reloadTaskFailure.includeApp.includeAll")).toContain("never applied");
    // License and version monitoring.
    expect(c.licenseMonitor).toMatchObject({ interval: 14_400_000, influxChannel: "influxdb", alerts: { expiryDays: 45 } });
    expect(c.licenseRelease).toMatchObject({
      dryRun: false,
      accessTypes: ["professional", "analyzer"],
      inactiveDays: 40,
      inactiveDaysByType: { professional: 40, analyzer: 20 },
    });
    expect(c.licenseRelease.neverRelease).toMatchObject({
      users: ["INTERNAL\\sa_scheduler", "CORP\\qlik_admin"],
      tags: ["Keep licence"],
      customProperties: [{ name: "LicencePolicy", value: "keep" }],
      userDirectories: ["INTERNAL"],
      inactive: "no",
      blocked: "ignore",
      removedExternally: "yes",
    });
    expect(c.versionMonitor).toMatchObject({ interval: 43_200_000, influxChannel: "influxdb" });
    expect(routeIn(c, "webhook-license")).toMatchObject({ on: ["license.expiring", "license.expired"] });
    expect(routeIn(c, "mqtt-license").on).toEqual(["license.expiring", "license.expired"]);
    expect(reasonFor(result, "Butler.webhookNotification.qlikSenseServerLicenseMonitor.webhooks[0].webhookURL")).toContain("license.expiring");
    // Per-monitor InfluxDB tags go on the monitor's own measurement.
    expect(reasonFor(result, "Butler.qlikSenseLicense.serverLicenseMonitor.destination.influxDb.tag.static[0].name")).toBeUndefined();
    expect(c.channels.influxdb.measurements.qlik_sense_server_license.tags).toEqual({ cluster: "north" });
    expect(result.report.review.some((r) => r.startsWith("License release: Butler released licenses for real"))).toBe(true);
  });

  test("Butler's unrestricted createDir: the report says first and loudly which folders to allow, naming the folders the config shows", () => {
    expect(result.report.actions).toHaveLength(2);
    const action = result.report.actions[0]!;
    expect(action).toContain("files.createDir");
    expect(action).toContain("sets to the QVD root (D:\\QlikData\\QVD) only");
    for (const dir of ["D:\\QlikData\\archive", "\\\\fileserver\\qlik\\outbox", "D:\\QlikData\\processed"]) expect(action).toContain(dir);
    expect(result.report.actions[1]).toContain("files.allowDirectoryDelete: false");
    expect(renderReport(result.report)).toStartWith("ACTION REQUIRED before going live (2):\n  !! POST /v4/createdir");
    expect(renderConfig(result, "butler.yaml").split("\n").slice(0, 4).join("\n")).toContain("# ACTION REQUIRED: POST /v4/createdir");

    const bare = convert(
      variant((b) => {
        b.fileCopyApprovedDirectories = null;
        b.fileMoveApprovedDirectories = null;
        b.configDirectories.qvdPath = "<Path to folder under which QVDs are stored>";
      }),
    );
    expect(bare.report.actions[0]).toContain("leaves EMPTY");
    expect(bare.report.actions[0]).toContain("names no other folders to suggest");
    expect(load(bare).files.createDir).toEqual([]);
    expect(load(bare).files.qvdRoot).toBeUndefined();
    expect(convert(variant((b) => (b.restServerEndpointsEnable.createDir = false))).report.actions.filter((a) => a.includes("createdir"))).toEqual([]);
  });
});

describe("InfluxDB layouts", () => {
  test("Butler 9–15 (the seed's layout): auth, dbName and retentionPolicy directly under influxDb", () => {
    const r = convert(SEED_LAYOUT);
    expect(unknownKeys(r)).toEqual([]);
    const c = load(r);
    expect(c.channels.influxdb).toMatchObject({
      version: 1,
      url: "http://influx-old.corp.example:8086",
      database: "butler_legacy",
      retentionPolicy: { name: "keep14d", duration: "14d" },
      username: "butler_old",
      password: "old-influx-secret",
      tags: { butler_instance: "PROD-EAST" },
    });
    // The per-event tag overrides instanceTag on its own measurement only, as in Butler; log lengths per event.
    expect(c.channels.influxdb.measurements.reload_task_failed).toMatchObject({ tags: { butler_instance: "prod-east-1" }, scriptLogLines: { tail: 20 } });
    expect(c.channels.influxdb.measurements.reload_task_success).toMatchObject({ scriptLogLines: { head: 15, tail: 25 } });
    expect(reasonFor(r, "Butler.influxDb.instanceTag")).toBeUndefined();
    expect(reasonFor(r, "Butler.influxDb.reloadTaskSuccess.tailScriptLogLines")).toBeUndefined();
    expect(routeIn(c, "influxdb-failed").taskTypes).toEqual(["reload", "externalProgram", "userSync", "distribute", "preload"]);
    expect(routeIn(c, "influxdb-succeeded").taskTypes).toEqual(["externalProgram", "userSync", "preload"]);
    expect(routeIn(c, "influxdb-reload-succeeded-by-custom-property").taskCustomProperties).toEqual([
      { name: "Butler_SuccessReloadTask_InfluxDB", value: "Yes" },
    ]);
    expect(offKeys(r)).toEqual(["Butler.influxDb.reloadTaskSuccess.allReloadTasks", "Butler.influxDb.distributeTaskSuccess"]);
  });

  test("v1Config wins over flat keys left in the file, as in Butler", () => {
    const r = convert(
      variant((b) =>
        Object.assign(b.influxDb, { dbName: "stale", auth: { enable: false, username: "x", password: "y" }, retentionPolicy: { name: "old", duration: "1d" } }),
      ),
    );
    expect(unknownKeys(r)).toEqual([]);
    expect(load(r).channels.influxdb.database).toBe("qlik_events");
    expect(reasonFor(r, "Butler.influxDb.dbName")).toBe("Butler ignores it while influxDb.v1Config is present");
  });

  test("version 2: org, bucket and token", () => {
    const r = convert(variant((b) => (b.influxDb.version = 2)));
    expect(unknownKeys(r)).toEqual([]);
    expect(load(r).channels.influxdb).toMatchObject({ version: 2, org: "corp", bucket: "qlik_events", token: "v2-token-abc" });
    expect(load(r).channels.influxdb.database).toBeUndefined();
    expect(offKeys(r)).toContain("Butler.influxDb.v1Config");
    expect(reasonFor(r, "Butler.influxDb.v2Config.retentionDuration")).toContain("create the bucket");
  });

  test("version 3: written through InfluxDB 3's v2-compatible API, bucket = database", () => {
    const r = convert(variant((b) => (b.influxDb.version = 3)));
    expect(unknownKeys(r)).toEqual([]);
    expect(load(r).channels.influxdb).toMatchObject({ version: 2, bucket: "qlik_events", org: "qlik_events", token: "v3-token-def", timeout: 15_000 });
    expect(reasonFor(r, "Butler.influxDb.v3Config.queryTimeout")).toContain("never queries");
    expect(r.report.review.some((n) => n.startsWith("InfluxDB 3:"))).toBe(true);
  });
});

describe("settings that were lost or misreported", () => {
  test("the REST server switched off: its endpoint flags, their settings and the allow-lists are off, not unknown typos", () => {
    const r = convert(variant((b) => (b.restServerConfig.enable = false)));
    expect(unknownKeys(r)).toEqual([]);
    for (const k of ["Butler.restServerEndpointsEnable", "Butler.restServerEndpointsConfig", "Butler.fileCopyApprovedDirectories", "Butler.configDirectories"])
      expect(offKeys(r)).toContain(k);
    expect(isOff(r, "Butler.restServerEndpointsEnable.scheduler.createNewSchedule")).toBe(true);
    expect(isOff(r, "Butler.slackNotification.restMessage.webhookURL")).toBe(true);
    const c = load(r);
    expect(c.http.enabled).toBe(false);
    expect(c.files).toBeUndefined();
    expect(c.control.slack).toBeUndefined();
    expect(r.report.actions).toEqual([]);
  });

  test("the same small config that used to report every endpoint flag as unknown", () => {
    const r = convert(
      "Butler:\n  restServerConfig:\n    enable: false\n    serverHost: 0.0.0.0\n    serverPort: 8080\n  restServerEndpointsEnable:\n    butlerping: true\n    keyValueStore: true\n    createDir: true\n    scheduler:\n      getSchedule: true\n",
    );
    expect(unknownKeys(r)).toEqual([]);
    expect(r.config).toMatchObject({ http: { enabled: false } });
    expect(r.report.actions).toEqual([]);
  });

  test("schedule routes Butler had switched off are named: Steward serves them, only API-key scopes keep callers out", () => {
    const r = convert(variant((b) => Object.assign(b.restServerEndpointsEnable.scheduler, { createNewSchedule: false, deleteSchedule: false })));
    expect(reasonFor(r, "Butler.restServerEndpointsEnable.scheduler.createNewSchedule")).toContain('scope "schedules"');
    expect(reasonFor(r, "Butler.restServerEndpointsEnable.scheduler.getSchedule")).toBeUndefined();
    expect(r.report.review).toContain(
      "Routes that were switched off in Butler (scheduler.createNewSchedule, scheduler.deleteSchedule) exist in Steward; only API keys without their scope keep callers out.",
    );
  });

  test("a line break in a quoted value stays inside the YAML comment instead of adding config keys", () => {
    const r = convert(
      variant((b) => {
        b.configEngine.host = "engine.corp.example\nsecurity:\n  allowUnauthenticated: true";
        b.configDirectories.qvdPath = "D:\\QVD\r\nhttp: {port: 1}";
      }),
    );
    expect(r.report.review.some((n) => n.includes("allowUnauthenticated: true"))).toBe(true);
    const text = renderConfig(r, "butler\nlogging: {level: error}.yaml");
    const c = parseConfigText(text, "converted.yaml", tmp.path, { env: {} }).config as Any;
    expect(c.http.port).toBe(8180);
    expect(c.logging.level).toBe("debug");
    expect(text).toContain("\n#    security:\n#      allowUnauthenticated: true");
  });

  test("MQTT: equal *SendFull switches keep one channel and one route", () => {
    const r = convert(variant((b) => (b.mqttConfig.taskAbortedSendFull = true)));
    const c = load(r);
    expect(c.channels["mqtt-2"]).toBeUndefined();
    expect(routeIn(c, "mqtt-task-alerts")).toMatchObject({ on: ["task.failed", "task.aborted"], to: ["mqtt"] });
    expect(c.channels.mqtt.butlerTopics.sendFull).toBe(true);
  });

  test("an enabled e-mail success block without custom-property gating goes to every reload", () => {
    const r = convert(variant((b) => (b.emailNotification.reloadTaskSuccess.alertEnableByCustomProperty.enable = false)));
    const success = routeIn(load(r), "email-reload-task-success");
    expect(success.recipients.enableByCustomProperty).toBeUndefined();
    expect(success.recipients.addresses).toEqual(["bi-team@corp.example"]);
  });
});

describe("keys of older Butler versions", () => {
  const OLD = `Butler:
  restServerConfig:
    enable: true
    serverHost: 127.0.0.1
    serverPort: 8080
  restServerEndpointsEnable:
    apiListEnbledEndpoints: true
  emailNotification:
    enable: true
    reloadTaskFailure:
      enable: true
      rateLimit: 300
      fromAdress: Qlik <qlik@corp.example>
      recipients:
        - ops@corp.example
    smtp:
      host: smtp.corp.example
  serviceMonitor:
    enable: true
    frequency: every 30 seconds
    monitor:
      - host: qlik1.corp.example
        services:
          - QlikSenseEngineService
          - name: QlikSenseProxyService
            friendlyName: Proxy
  configEngine:
    host: qlik1.corp.example
    port: 4747
    useSSL: true
    headers:
      X-Qlik-User: UserDirectory=Internal;UserId=sa_repository
  configQRS:
    authentication: certificates
    host: qlik1.corp.example
    useSSL: true
    port: 4242
    headerKey: X-Qlik-User
    headerValue: UserDirectory=CORP; UserId=svc_butler
`;

  test("fromAdress, the old X-Qlik-User header layouts, apiListEnbledEndpoints and plain service names convert", () => {
    const r = convert(OLD);
    expect(unknownKeys(r)).toEqual([]);
    const c = load(r);
    expect(c.channels.email.from).toBe("Qlik <qlik@corp.example>");
    expect(c.qlik).toMatchObject({ host: "qlik1.corp.example", userDirectory: "CORP", userId: "svc_butler" });
    expect(c.serviceMonitor.windows[0].services).toEqual(["QlikSenseEngineService", { name: "QlikSenseProxyService", friendlyName: "Proxy" }]);
    // The Engine's different user is said, not silently applied to QRS as well.
    expect(r.report.review.some((n) => n.includes("Steward uses the QRS user (CORP\\svc_butler) for the Engine too"))).toBe(true);
  });

  test("template placeholders are not settings: a placeholder Qlik host is reported, not converted or unknown", () => {
    const r = convert(`Butler:
  cert:
    clientCert: <path/to/cert/client.pem>
  configQRS:
    host: <FQDN or IP of Sense server where QRS is running>
    port: 4242
  qlikSenseUrls:
    qmc: <Link to Qlik Sense QMC>
`);
    expect(unknownKeys(r)).toEqual([]);
    expect(r.config.qlik).toBeUndefined();
    expect(reasonFor(r, "Butler.configQRS.host")).toContain("template placeholder");
  });
});

describe("what load scripts keep without a key after the first API key (security.anonymous)", () => {
  test("every switch on: the default load-script scopes from the Qlik nodes, nothing written", () => {
    const r = convert(FULL);
    expect(load(r).security.anonymous).toEqual({ scopes: ["tasks", "apps", "kv.read", "kv.write", "files", "mqtt"], from: ["qlik-nodes"] });
    expect(renderConfig(r, "butler.yaml")).not.toMatch(/^\s+anonymous:/m);
  });

  test("the routes Butler had switched off stay closed to callers without a key", () => {
    const r = convert(
      variant((b) => {
        b.restServerEndpointsEnable.keyValueStore = false;
        b.restServerEndpointsEnable.senseStartTask = false;
        // One app route still on keeps the apps scope.
        b.restServerEndpointsEnable.senseAppDump = false;
      }),
    );
    expect(load(r).security.anonymous.scopes).toEqual(["apps", "files", "mqtt"]);
    expect(r.report.review.some((l) => l.includes("keep apps, files, mqtt: security.anonymous.scopes leaves out the routes Butler had switched off"))).toBe(
      true,
    );
  });
});
