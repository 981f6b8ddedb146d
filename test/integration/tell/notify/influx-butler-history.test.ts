// Every InfluxDB measurement Steward shares with Butler, against a real influxd 1.x: Butler-shaped points (every
// number a float, as Butler's client writes them) and Steward's points of the same measurements go into one
// database in both orders, and every write is accepted. A field type that differs from Butler's would be refused
// (HTTP 400, "field type conflict") for as long as the shard lives.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Point } from "@influxdata/influxdb-client";
import { butlerMonitorPoints, butlerPoints } from "../../../fixtures/butler/influx-points";
import { createInfluxDb1Database, startInfluxDb1, type TestService } from "../../../helpers/services";
import { memoryPoint } from "../../../../src/watch/heartbeat/influx-memory";
import { pointsFor } from "../../../../src/tell/notify/channels/influxdb/points";
import { InfluxDbChannelSchema } from "../../../../src/tell/notify/channels/influxdb/schema";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { accessTypePoints, licenseReleasePoint, serverLicensePoint, versionPoint } from "../../../../src/watch/site-monitor/influx-points";
import { QrsAccessTypeOverviewSchema } from "../../../../src/platform/qlik/qrs-license";
import { TASK_TYPES } from "../../../../src/platform/events/types";

type Series = { name: string; columns: string[]; values: unknown[][] };

describe("Butler's history and Steward's points in one InfluxDB database", () => {
  let influx: TestService;
  const now = Date.now();

  async function query(db: string, q: string): Promise<Series[]> {
    const res = await fetch(`${influx.url}/query?${new URLSearchParams({ db, q })}`);
    const body = (await res.json()) as { results: Array<{ series?: Series[]; error?: string }> };
    if (body.results[0]?.error) throw new Error(body.results[0].error);
    return body.results[0]?.series ?? [];
  }
  async function write(db: string, points: Point[]): Promise<string[]> {
    // One point per request: InfluxDB names only the first conflict of a batch.
    const refused: string[] = [];
    for (const p of points) {
      const res = await fetch(`${influx.url}/write?db=${db}`, { method: "POST", body: p.toLineProtocol()! });
      if (res.status !== 204) refused.push(`${res.status} ${await res.text()}`);
    }
    return refused;
  }

  /** Steward's points of every measurement it shares with Butler, from the builders its writers use. */
  function stewardPoints(): Point[] {
    const cfg = InfluxDbChannelSchema.parse({ type: "influxdb", url: influx.url, database: "x", tags: { butler_instance: "prod" } });
    const tasks = TASK_TYPES.flatMap((taskType) =>
      (["failed", "succeeded"] as const).map((outcome) => syntheticTaskEvent({ outcome, taskType, taskName: `${taskType} ${outcome}`, nowMs: now - 60_000 })),
    );
    // A reload without its script log gets Butler's placeholders (numbers as floats too).
    const noLog = { ...syntheticTaskEvent({ outcome: "succeeded", nowMs: now - 30_000 }), scriptLog: undefined };
    const access = QrsAccessTypeOverviewSchema.parse({
      totalTokens: 100,
      availableTokens: 80,
      analyzerAccess: { enabled: true, total: 25, allocated: 20, used: 19, quarantined: 1, excess: 0, available: 5 },
      professionalAccess: { enabled: true, total: 12, allocated: 10, used: 10, quarantined: 0, excess: 0, available: 2 },
      analyzerTimeAccess: { enabled: true, allocatedMinutes: 6000, usedMinutes: 1500, unavailableMinutes: 0 },
      loginAccess: { enabled: true, tokenCost: 0.1, allocatedTokens: 10, usedTokens: 3, unavailableTokens: 0 },
      userAccess: { enabled: true, tokenCost: 1, allocatedTokens: 10, userTokens: 4, quarantinedTokens: 0 },
    });
    const tags = { butler_instance: "prod" };
    return [
      ...[...tasks, noLog].flatMap((e) => pointsFor(cfg, e)),
      ...pointsFor(cfg, syntheticServiceEvent({ state: "stopped", nowMs: now - 20_000 })),
      ...pointsFor(cfg, syntheticServiceEvent({ state: "started", nowMs: now - 10_000 })),
      memoryPoint("butler_memory_usage", tags, 3600),
      serverLicensePoint({ expired: false, expiryDate: "2026-12-31", daysUntilExpiry: 99 }, tags, now),
      ...accessTypePoints(access, tags, now),
      licenseReleasePoint("professional", "CORP\\erik", 45, tags, now),
      versionPoint(
        {
          version: "14.212.7",
          productName: "Qlik Sense",
          releaseLabel: "May 2025",
          contentHash: "x",
          senseId: "y",
          deploymentType: "QlikSenseServer",
          deprecatedProductVersion: "4.0.X",
          copyrightYearRange: "1993-2025",
        },
        tags,
        now,
      ),
    ];
  }

  beforeAll(async () => {
    influx = await startInfluxDb1();
    for (const db of ["butler_first", "steward_first"]) await createInfluxDb1Database(influx, db);
  }, 30_000);
  afterAll(async () => {
    await influx?.stop();
  });

  const butler = () => [...butlerPoints(now, 50), ...butlerMonitorPoints(now)];

  test("Butler first, then Steward: every point lands", async () => {
    expect(await write("butler_first", butler())).toEqual([]);
    expect(await write("butler_first", stewardPoints())).toEqual([]);
  });

  test("Steward first, then Butler: every point lands", async () => {
    expect(await write("steward_first", stewardPoints())).toEqual([]);
    expect(await write("steward_first", butler())).toEqual([]);
  });

  test("every measurement Butler writes is one Steward writes too, and each field has one type", async () => {
    const measurements = (await query("steward_first", "SHOW MEASUREMENTS"))[0]!.values.flat().map(String);
    for (const m of [
      "reload_task_failed",
      "reload_task_success",
      "external_program_task_failed",
      "user_sync_task_success",
      "distribute_task_success",
      "preload_task_failed",
      "win_service_state",
      "butler_memory_usage",
      "qlik_sense_server_license",
      "qlik_sense_license",
      "qlik_sense_license_release",
      "qlik_sense_version",
    ]) {
      expect(measurements).toContain(m);
    }
    // SHOW FIELD KEYS lists a field once per type it has in any shard: once means no conflict anywhere.
    for (const s of await query("steward_first", "SHOW FIELD KEYS")) {
      const names = s.values.map((v) => String(v[0]));
      expect({ measurement: s.name, twice: names.filter((n, i) => names.indexOf(n) !== i) }).toEqual({ measurement: s.name, twice: [] });
    }
    const numbers = (await query("steward_first", "SHOW FIELD KEYS")).flatMap((s) =>
      s.values.filter((v) => v[1] === "integer").map((v) => `${s.name}.${String(v[0])}`),
    );
    // Integers only under names Butler never wrote (Steward's run history and incident: steward_*).
    const history = (m: string, failed: boolean) => [
      `${m}.steward_consecutive_failures`,
      ...(failed ? [`${m}.steward_incident_failures`, `${m}.steward_incident_id`] : []),
    ];
    const types = ["distribute", "external_program", "preload", "reload", "user_sync"];
    expect(numbers.sort()).toEqual(
      [
        "butler_memory_usage.uptime_seconds",
        "reload_task_failed.task_scriptLogErrorCount",
        "reload_task_failed.task_scriptLogSizeRows",
        "reload_task_success.task_scriptLogErrorCount",
        "reload_task_success.task_scriptLogSizeRows",
        ...types.flatMap((t) => [...history(`${t}_task_failed`, true), ...history(`${t}_task_success`, false)]),
      ].sort(),
    );
  });
});
