// Butler config import on a full, realistic Butler 16 config: golden Steward YAML and golden report (set
// UPDATE_GOLDEN=1 to rewrite them after a deliberate change), every Butler key handled on purpose, the result
// passing `steward config check`, and the CLI writing the config and the schedule file a new server imports.
import { checkNotifyConfig } from "../../../src/tell/notify/check";
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { configCheckCommand } from "../../../src/show/cli/config-commands";
import { importButlerCommand } from "../../../src/show/cli/import-butler";
import { convertButlerConfig, laterToDuration, renderConfig, renderReport, secondsToDuration } from "../../../src/platform/config/butler-import";
import { loadConfigFile } from "../../../src/composition/config";
import { createTestApp, type TestApp } from "../../helpers/app";
import { createTempDir } from "../../helpers/temp-dir";

const FIXTURES = resolve(import.meta.dir, "../../fixtures/butler");
const BUTLER = join(FIXTURES, "butler-production.yaml");
const SCHEDULES = join(FIXTURES, "schedule.yaml");
const tmp = createTempDir();
afterAll(() => tmp.remove());

function golden(name: string, actual: string): void {
  const path = join(FIXTURES, name);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

describe("Butler config import", () => {
  const result = convertButlerConfig(readFileSync(BUTLER, "utf8"), "butler-production.yaml", { schedulesFile: SCHEDULES });

  test("golden Steward config", () => {
    golden("butler-production.steward.yaml", renderConfig(result, "butler-production.yaml"));
  });

  test("golden report: every key not converted is listed with its reason", () => {
    golden("butler-production.report.txt", `${renderReport(result.report)}\n`);
  });

  test("every Butler key is converted, explained, or off; none falls through as unknown", () => {
    expect(result.report.unmapped.filter((u) => u.reason.startsWith("not a Butler key"))).toEqual([]);
    const total = result.report.mapped + result.report.unmapped.reduce((n, u) => n + u.leaves.length, 0) + result.report.off.reduce((n, o) => n + o.leaves, 0);
    expect(total).toBeGreaterThan(350);
    expect(result.report.mapped).toBeGreaterThan(250);
  });

  test("what the conversion must get right", () => {
    const c = result.config as Record<string, any>;
    expect(c.udp).toMatchObject({ host: "0.0.0.0", port: 9998, allowedSources: ["10.20.30.11", "10.20.30.12", "sense-etl.corp.example"] });
    expect(c.security).toEqual({ allowUnauthenticated: true });
    expect(c.files.copy).toEqual([
      { from: "D:\\QlikData\\landing", to: "D:\\QlikData\\archive" },
      { from: "\\\\fileserver\\qlik\\incoming", to: "D:\\QlikData\\landing" },
    ]);
    expect(c.files.allowUnc).toBe(true);
    expect(c.qlik).toMatchObject({ host: "sense1.corp.example", userDirectory: "Internal", userId: "sa_repository", rejectUnauthorized: false });
    const route = (name: string) => c.routes.find((r: { name: string }) => r.name === name);
    expect(route("email-reload-task-failure")).toMatchObject({
      on: ["task.failed"],
      taskTypes: ["reload"],
      rateLimit: "5m",
      recipients: {
        enableByCustomProperty: { name: "Butler_FailedAlertEnableEmail", value: "Yes" },
        fromCustomProperty: "Butler_FailedAlertSendToEmail",
        appOwner: { include: ["CORP\\anna", "CORP\\bengt"] },
      },
    });
    expect(route("email-reload-task-success")).toMatchObject({
      on: ["task.succeeded"],
      recipients: {
        addresses: ["bi-team@corp.example"],
        enableByCustomProperty: { name: "Butler_SuccessReloadTask_Email", value: "Yes" },
        fromCustomProperty: "Butler_SuccessAlertSendToEmail",
      },
    });
    expect(route("influxdb-failed").taskTypes).toEqual(["reload", "externalProgram", "userSync", "distribute"]);
    expect(route("slack-service-stopped")).toBeUndefined();
    expect(route("teams-service-stopped").to).toEqual(["teams-2"]);
    expect(c.channels.email.smtp.security).toBe("starttls");
    // Butler published its status messages whenever MQTT was on.
    expect(c.mqtt).toEqual({
      url: "mqtt://mqtt.corp.example:1883",
      taskStart: { topic: "qliksense/start_task" },
      butlerStatus: { udpServerTopic: "qliksense/butler/task_failure_server" },
    });
    // Per-event InfluxDB settings stay on their own measurement: the failure block's static tag and tail length,
    // the dynamic tags Butler did not write on the other measurements; the version monitor's tag on its own.
    expect(c.channels.influxdb.tags).toEqual({ butler_instance: "PROD" });
    expect(c.channels.influxdb.measurements).toEqual({
      reload_task_failed: { tags: { site: "stockholm" }, scriptLogLines: { tail: 20 } },
      external_program_task_failed: { useTaskTags: false },
      user_sync_task_failed: { useTaskTags: false },
      distribute_task_failed: { useAppTags: false, useTaskTags: false },
      distribute_task_success: { useAppTags: false, useTaskTags: false },
      qlik_sense_version: { tags: { foo: "bar" } },
    });
    // Butler fetched the script log of successful reloads for reload_task_success.
    expect(c.intake.enrichment).toEqual({ scriptLog: { onSuccess: true } });
    // The id conversion routes were off in Butler and stay off.
    expect(c.http.baseConvert).toEqual({ base62ToBase16: false, base16ToBase62: false });
    // createDir: the QVD root is listed; folders are deleted only when the admin says so (named first in the report).
    expect(c.files).toMatchObject({ createDir: ["D:\\QlikData\\qvd"], qvdRoot: "D:\\QlikData\\qvd", allowDirectoryDelete: false });
    expect(result.report.actions.some((a) => a.startsWith("DELETE /v4/filedelete: Butler deleted a FOLDER"))).toBe(true);
    expect(c.serviceMonitor.windows[1]).toEqual({ host: "sense2.corp.example", services: [{ name: "QlikSenseEngineService", friendlyName: "Engine node 2" }] });
    expect(c.heartbeat).toEqual({ url: "https://hc-ping.com/3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c8d", interval: "1m" });
    expect(c.uptimeMonitor.influxChannel).toBe("influxdb");
  });

  test("the golden config passes `steward config check` (with the CA and QMC certificate files it names in place)", () => {
    const dir = join(tmp.path, "check");
    mkdirSync(dir);
    writeFileSync(join(dir, "steward.yaml"), readFileSync(join(FIXTURES, "butler-production.steward.yaml")));
    // On Linux the Windows path is a relative file name; on Windows it would be the real D: path.
    for (const name of ["corp-root-ca.pem", "client.pem", "client_key.pem", "root.pem"]) {
      writeFileSync(join(dir, `D:\\Butler\\certs\\${name}`), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    }
    const file = join(dir, "steward.yaml");
    // Keys, types and templates are valid wherever the check runs.
    const loaded = loadConfigFile(file);
    expect(checkNotifyConfig(loaded.config, loaded.baseDir)).toEqual([]);
    // The full check also builds the file operations, whose folders are Windows paths: valid on a Windows
    // host, refused (clearly) anywhere else.
    const out: string[] = [];
    if (process.platform === "win32") {
      expect(configCheckCommand(file, (s) => out.push(s))).toBe(0);
      expect(out[0]).toContain("valid");
    } else {
      expect(() => configCheckCommand(file, (s) => out.push(s))).toThrow("Windows paths are not accepted on this (non-Windows) host");
    }
  });

  test("the CLI writes the config and, beside it, the schedule file it names; nothing goes into this host's store", async () => {
    const dir = join(tmp.path, "cli");
    mkdirSync(dir);
    const out: string[] = [];
    const target = join(dir, "steward.yaml");
    expect(
      await importButlerCommand(
        [BUTLER, "--out", target, "--schedules", SCHEDULES],
        (s) => out.push(s),
        () => {},
      ),
    ).toBe(0);
    const text = out.join("\n");
    expect(text).toContain(`wrote ${target}`);
    expect(text).toContain(`wrote ${join(dir, "steward.schedules.yaml")} (2 schedules; imported by Steward when it starts)`);
    expect(text).toContain("Not converted (");
    // A missing file stops `steward config check`: it is listed with what must be done first.
    expect(text).toContain("ACTION REQUIRED before going live (3):\n  !! POST /v4/createdir");
    expect(text).toContain("  !! Before starting: channels.webhook-incident-bridge: file D:\\Butler\\certs\\corp-root-ca.pem does not exist");
    expect(readFileSync(target, "utf8")).toContain("# ACTION REQUIRED: Before starting: channels.webhook-incident-bridge");
    const loaded = loadConfigFile(target).config;
    expect(loaded.channels["webhook-incident-bridge"]).toBeDefined();
    expect(loaded.scheduler.importFile).toBe("./steward.schedules.yaml");
    // Both may hold what Butler's file held; the config its SMTP password: readable by its owner only.
    if (process.platform !== "win32") expect(statSync(target).mode & 0o777).toBe(0o600);
    // The import host is usually the Butler server: its own data folder is not where the schedules belong.
    expect(existsSync(join(dir, "data"))).toBe(false);
    await expect(
      importButlerCommand(
        [BUTLER, "--out", target],
        () => {},
        () => {},
      ),
    ).rejects.toThrow("--force");
  });

  test("the switch-over page's steps on two folders: the new server's Steward starts with the schedules", async () => {
    // On the Butler host (folder a): convert. On the new server (folder b): the two files, copied; Steward starts.
    const a = join(tmp.path, "host-a");
    const b = join(tmp.path, "host-b");
    mkdirSync(a);
    mkdirSync(b);
    await importButlerCommand(
      [BUTLER, "--out", join(a, "steward.yaml"), "--schedules", SCHEDULES],
      () => {},
      () => {},
    );
    copyFileSync(join(a, "steward.schedules.yaml"), join(b, "steward.schedules.yaml"));
    // The converted file names Butler's Windows certificate paths; the new server's copy keeps its scheduler block.
    const importFile = loadConfigFile(join(a, "steward.yaml")).config.scheduler.importFile!;
    const yaml = `scheduler:\n  importFile: ${importFile}\n`;
    const ids = ["1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d", "9f8e7d6c-5b4a-4f3e-9d2c-1b0a9f8e7d6c"];
    const list = async (t: TestApp) => ((await (await t.request("/v4/schedules")).json()) as Array<{ id: string; timezone: string }>).map((s) => s.id).sort();

    let t = createTestApp(yaml, { dir: b });
    await t.app.start();
    expect(await list(t)).toEqual(ids);
    // A schedule deleted on the new server stays deleted: the same file is not imported again at the next start.
    expect((await t.request(`/v4/schedules/${ids[0]}`, { method: "DELETE" })).status).toBeLessThan(300);
    await t.app.stop();
    t = createTestApp(yaml, { dir: b });
    await t.app.start();
    expect(await list(t)).toEqual([ids[1]!]);
    await t.app.stop();
    // A changed file is imported again: its new schedule is added, the existing one is left as it is.
    const more = readFileSync(join(b, "steward.schedules.yaml"), "utf8").replace(
      "butlerSchedule:\n",
      "butlerSchedule:\n  - name: Added later\n    cronSchedule: 0 6 * * *\n    timezone: Europe/Stockholm\n    qlikSenseTaskId: 0c7e5e4b-2f5d-4a3e-9a41-1d2e3f4a5b6c\n    id: added-later\n",
    );
    writeFileSync(join(b, "steward.schedules.yaml"), more);
    t = createTestApp(yaml, { dir: b });
    await t.app.start();
    expect(await list(t)).toEqual(["added-later", ids[0]!, ids[1]!].sort());
    await t.app.stop();
  }, 60_000);

  test("without --out the YAML goes to stdout and the report to stderr", async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(
      await importButlerCommand(
        [BUTLER],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(0);
    expect(out.join("\n")).toStartWith("# Steward configuration converted from the Butler config butler-production.yaml");
    expect(err.join("\n")).toContain("Converted ");
  });

  test("--schedules without --out: the report says the schedules were checked, not written, and how to take them", async () => {
    const err: string[] = [];
    expect(
      await importButlerCommand(
        [BUTLER, "--schedules", SCHEDULES],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(0);
    expect(err.join("\n")).toContain(
      `The 2 schedules of ${SCHEDULES} were checked, not written: give --out to write them beside the config, or import them with steward schedules import ${SCHEDULES}`,
    );
  });

  test("a --schedules file that cannot be read is a usage error naming it, and nothing is written", async () => {
    const target = join(tmp.path, "no-schedules.yaml");
    await expect(
      importButlerCommand(
        [BUTLER, "--out", target, "--schedules", join(tmp.path, "missing.yaml")],
        () => {},
        () => {},
      ),
    ).rejects.toThrow(`config import-butler: cannot read the --schedules file ${join(tmp.path, "missing.yaml")}: ENOENT`);
    expect(existsSync(target)).toBe(false);
  });

  test("a small Butler config; unknown keys are reported as such", () => {
    const r = convertButlerConfig(
      "Butler:\n  logLevel: silly\n  heartbeat:\n    enable: true\n    remoteURL: http://127.0.0.1:9/hb\n    frequency: at 10:15 am\n  myOwnKey: 1\n",
      "small.yaml",
    );
    expect(r.config).toEqual({
      dataDir: "./data",
      logging: { level: "trace" },
      incidents: { warnings: { enabled: false } },
      heartbeat: { url: "http://127.0.0.1:9/hb" },
    });
    expect(r.report.unmapped.map((u) => [u.key, u.reason.slice(0, 20)])).toEqual([
      ["Butler.heartbeat.frequency", "only `every N second"],
      ["Butler.myOwnKey", "not a Butler key Ste"],
    ]);
  });

  test("not a Butler file", () => {
    expect(() => convertButlerConfig("steward: 1\n", "x.yaml")).toThrow("root key Butler");
  });

  test("time units", () => {
    expect(laterToDuration("every 30 seconds")).toBe("30s");
    expect(laterToDuration("every 1 minute")).toBe("1m");
    expect(laterToDuration("every 24 hours")).toBe("24h");
    expect(laterToDuration("at 10:15 am")).toBeUndefined();
    expect(secondsToDuration(300)).toBe("5m");
    expect(secondsToDuration(90)).toBe("1m30s");
    expect(secondsToDuration(0)).toBeUndefined();
  });
});
