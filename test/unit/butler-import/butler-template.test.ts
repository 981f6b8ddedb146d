// Butler config import on Butler 16.0.4's own config template (the keys and values a new Butler site starts from),
// as shipped and as a site switches it on, checking what a switch-over day needs carried: InfluxDB tags, dynamic
// tags and log lengths per event, script logs of successes, Butler's MQTT status messages, the id conversion
// routes, folder deletion, UNC folders written //server/share and the QVD root that createdir writes below.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { convertButlerConfig, renderConfig, renderReport, type ConvertResult } from "../../../src/platform/config/butler-import";
import { parseConfigText } from "../../../src/composition/config";
import { createTempDir } from "../../helpers/temp-dir";

const TEMPLATE = readFileSync(join(resolve(import.meta.dir, "../../fixtures/butler"), "butler-16.0.4-template.yaml"), "utf8");
const tmp = createTempDir();
afterAll(() => tmp.remove());

type Any = Record<string, any>;

const convert = (text: string) => convertButlerConfig(text, "butler.yaml");
const load = (r: ConvertResult): Any => parseConfigText(renderConfig(r, "butler.yaml"), "converted.yaml", tmp.path, { env: {} }).config as Any;
const reasonFor = (r: ConvertResult, leaf: string) => r.report.unmapped.find((u) => u.leaves.includes(leaf))?.reason;
/** Every leaf is converted, named with its reason, or off; none is an unknown key. */
function accounted(r: ConvertResult, text: string): void {
  expect(r.report.unmapped.filter((u) => u.reason.startsWith("not a Butler key")).flatMap((u) => u.leaves)).toEqual([]);
  let leaves = 0;
  const walk = (v: unknown) => {
    if (v !== null && typeof v === "object") {
      const entries = Object.values(v as object);
      if (entries.length === 0) leaves++;
      for (const x of entries) walk(x);
    } else leaves++;
  };
  walk(parse(text));
  expect(r.report.mapped + r.report.unmapped.reduce((n, u) => n + u.leaves.length, 0) + r.report.off.reduce((n, o) => n + o.leaves, 0)).toBe(leaves);
}

/** The template as a site switches it on: REST, files, InfluxDB with per-event tags, MQTT and UDP. */
function switchedOn(): string {
  const doc = parse(TEMPLATE) as Any;
  const b = doc.Butler;
  b.configQRS.host = "sense1.corp.example";
  Object.assign(b.restServerConfig, { enable: true, serverHost: "127.0.0.1" });
  Object.assign(b.restServerEndpointsEnable, { createDir: true, createDirQVD: true, fileDelete: true, fileCopy: true, butlerping: true });
  b.fileCopyApprovedDirectories = [{ fromDirectory: "D:\\QlikData\\exports", toDirectory: "//fileserver/qlik/outbox" }];
  b.fileDeleteApprovedDirectories = ["D:\\QlikData\\tmp"];
  b.configDirectories.qvdPath = "D:\\QlikData\\QVD";
  b.influxDb.enable = true;
  b.influxDb.tag.static = [{ name: "site", value: "stockholm" }];
  b.influxDb.reloadTaskFailure.tag.static.push({ name: "kind", value: "reload" });
  Object.assign(b.influxDb.reloadTaskSuccess, { enable: true, allReloadTasks: { enable: true } });
  Object.assign(b.influxDb.userSyncTaskFailure, { enable: true, tag: { static: [{ name: "kind", value: "usersync" }], dynamic: { useTaskTags: false } } });
  b.mqttConfig.enable = true;
  b.udpServerConfig.enable = true;
  return stringify(doc);
}

describe("Butler 16.0.4's config template", () => {
  test("as shipped: every key is converted, explained or off, and the result is a valid Steward config", () => {
    const r = convert(TEMPLATE);
    accounted(r, TEMPLATE);
    const c = load(r);
    // Butler's REST server is off in the template, and so are all its routes; Steward's REST API is off too.
    expect(c.http.enabled).toBe(false);
    expect(c.udp.enabled).toBe(false);
    expect(c.channels).toEqual({});
    expect(renderReport(r.report)).toContain("Off in Butler, so not converted:");
  });

  describe("switched on as a site does", () => {
    const text = switchedOn();
    const r = convert(text);
    const c = load(r);

    test("every key is converted, explained or off", () => {
      accounted(r, text);
    });

    test("UDP: no source list in Butler's config, so the empty list admits the nodes QRS lists, and the review says so", () => {
      expect(c.udp.allowedSources).toEqual([]);
      expect(r.report.review.find((n) => n.startsWith("udp.allowedSources is left empty"))).toContain(
        "Steward admits datagrams only from qlik.host and the server nodes QRS lists",
      );
    });

    test("InfluxDB: per-event static tags only on their own measurements, per-event dynamic tags and log lengths kept", () => {
      const ch = c.channels.influxdb;
      // Butler's global static tags go on every point.
      expect(ch.tags).toEqual({ site: "stockholm" });
      expect(ch.measurements.reload_task_failed).toMatchObject({ tags: { butler_instance: "prod-1", kind: "reload" }, scriptLogLines: { tail: 20 } });
      expect(ch.measurements.user_sync_task_failed).toMatchObject({ tags: { kind: "usersync" }, useTaskTags: false });
      expect(ch.measurements.reload_task_success).toMatchObject({ scriptLogLines: { head: 15, tail: 25 } });
      expect(ch.measurements.reload_task_success.tags).toEqual({});
      expect(ch.useTaskTags).toBe(true);
      // reload_task_success carries the script log: fetched for successes too.
      expect(c.intake.enrichment.scriptLog.onSuccess).toBe(true);
    });

    test("MQTT: Butler's status messages are published", () => {
      expect(c.mqtt.butlerStatus).toEqual({ connectTopic: "qliksense/butler/mqtt/status", udpServerTopic: "qliksense/butler/task_failure_server" });
    });

    test("the id conversion routes stay off; the read-only routes Butler had off are named", () => {
      expect(c.http.baseConvert).toEqual({ base62ToBase16: false, base16ToBase62: false });
      expect(reasonFor(r, "Butler.restServerEndpointsEnable.apiListEnabledEndpoints")).toContain("always serves this read-only route");
      expect(reasonFor(r, "Butler.restServerEndpointsEnable.butlerping")).toBeUndefined();
    });

    test("files: //server/share is UNC, the QVD root is listed for createdir, folder deletion is named first", () => {
      expect(c.files).toMatchObject({ allowUnc: true, qvdRoot: "D:\\QlikData\\QVD", createDir: ["D:\\QlikData\\QVD"], allowDirectoryDelete: false });
      expect(r.report.review.some((n) => n.includes("UNC folders (//fileserver/qlik/outbox)"))).toBe(true);
      const report = renderReport(r.report);
      expect(report).toStartWith("ACTION REQUIRED before going live (2):");
      expect(report).toContain("!! DELETE /v4/filedelete: Butler deleted a FOLDER");
      expect(report).toContain("Other folders this Butler config shows load scripts using (copy/move targets): //fileserver/qlik/outbox.");
    });
  });
});
