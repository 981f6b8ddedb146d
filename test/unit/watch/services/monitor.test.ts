// The monitor on recorded sc.exe outputs through an injected command runner: the first poll is a baseline (no
// alerts for what is already down), pending states do not alert, RUNNING→STOPPED and back do, errors never
// fake a state, remote hosts get \\host, and the events are complete enough for the notify channels.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ServiceMonitorSchema } from "../../../../src/watch/services/config";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { DomainEvents, ServiceEvent } from "../../../../src/platform/events/types";
import { servicePoint } from "../../../../src/tell/notify/channels/influxdb/points";
import { ServiceEventSchema } from "../../../../src/tell/notify/event-schema";
import type { CommandRunner } from "../../../../src/watch/services/command-runner";
import { createServiceMonitor } from "../../../../src/watch/services/monitor";

const fx = (name: string) => new TextDecoder("utf-8", { fatal: false }).decode(readFileSync(join(import.meta.dir, "fixtures/sc", name)));
const EXIT: Record<string, number> = {
  "query-not-found.en.txt": 1060,
  "query-access-denied.en.txt": 5,
  "query-access-denied.fr.txt": 5,
  "query-unreachable.en.txt": 1722,
};

/** Per "host|verb|service": the fixture to answer with (changed by the test between polls). */
function scriptedSc() {
  const answers = new Map<string, string>();
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    const remote = args[0]!.startsWith("\\\\") ? args[0]!.slice(2) : "localhost";
    const [verb, name] = args.slice(remote === "localhost" ? 0 : 1);
    const f = answers.get(`${remote}|${verb}|${name}`);
    if (!f) throw new Error(`no scripted answer for ${args.join(" ")}`);
    return { code: EXIT[f] ?? 0, stdout: fx(f), stderr: "", timedOut: false };
  };
  return { run, calls, set: (host: string, verb: "query" | "qc", name: string, f: string) => answers.set(`${host}|${verb}|${name}`, f) };
}

function setup(yaml: object) {
  const sc = scriptedSc();
  const bus = createEventBus<DomainEvents>(createSilentLogger());
  const events: ServiceEvent[] = [];
  bus.onAny((_k, e) => void events.push(e as ServiceEvent));
  const clock = createManualClock(Date.parse("2026-05-04T08:00:00Z"));
  const metrics = createMetricsRegistry();
  const monitor = createServiceMonitor(ServiceMonitorSchema.parse(yaml), { bus, log: createSilentLogger(), clock, metrics, run: sc.run, platform: "win32" });
  return { sc, events, monitor, clock, metrics };
}

describe("service monitor", () => {
  test("baseline, pending states, stop and start events, errors", async () => {
    const { sc, events, monitor, clock, metrics } = setup({
      windows: [
        {
          host: "localhost",
          services: ["QlikSenseEngineService", { name: "QlikSenseProxyService", friendlyName: "Proxy" }, "QlikSensePrintingService", "NoSuchService"],
        },
        { host: "sense2.corp.example", services: ["QlikSenseEngineService"] },
      ],
    });
    sc.set("localhost", "query", "QlikSenseEngineService", "query-running.en.txt");
    sc.set("localhost", "qc", "QlikSenseEngineService", "qc-auto-delayed.en.txt");
    sc.set("localhost", "query", "QlikSenseProxyService", "query-running.de.txt");
    sc.set("localhost", "qc", "QlikSenseProxyService", "qc-auto.de.cp850.txt");
    sc.set("localhost", "query", "QlikSensePrintingService", "query-stopped.en.txt");
    sc.set("localhost", "qc", "QlikSensePrintingService", "qc-disabled.en.txt");
    sc.set("localhost", "query", "NoSuchService", "query-not-found.en.txt");
    sc.set("sense2.corp.example", "query", "QlikSenseEngineService", "query-access-denied.fr.txt");

    await monitor.pollOnce();
    expect(events).toEqual([]);
    expect(sc.calls).toContainEqual(["sc.exe", "\\\\sense2.corp.example", "query", "QlikSenseEngineService"]);
    expect(sc.calls).toContainEqual(["sc.exe", "query", "QlikSenseEngineService"]);
    expect(monitor.snapshot().find((s) => s.name === "NoSuchService")!.error).toStartWith("not_found: ");
    expect(metrics.render()).toContain('steward_service_state{platform="windows",host="localhost",service="QlikSensePrintingService"} 1');
    expect(metrics.render()).toContain('steward_service_state{platform="windows",host="sense2.corp.example",service="QlikSenseEngineService"} 0');

    // Stopping: STOP_PENDING (Swedish output) is in between, STOPPED alerts once.
    sc.set("localhost", "query", "QlikSenseProxyService", "query-stop-pending.sv.txt");
    await clock.advance(30_000);
    await monitor.pollOnce();
    expect(events).toEqual([]);
    sc.set("localhost", "query", "QlikSenseProxyService", "query-stopped.fr.txt");
    await clock.advance(30_000);
    await monitor.pollOnce();
    await monitor.pollOnce();
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      id: `service:localhost:QlikSenseProxyService:stopped:${Date.parse("2026-05-04T08:01:00Z")}`,
      kind: "service.stopped",
      receivedAt: "2026-05-04T08:01:00.000Z",
      host: "localhost",
      service: {
        name: "QlikSenseProxyService",
        displayName: expect.stringContaining("Qlik Sense Proxy-Dienst"),
        friendlyName: "Proxy",
        startType: "AUTOMATIC",
        exePath: '"C:\\Program Files\\Qlik\\Sense\\Proxy\\Proxy.exe"',
      },
      state: "STOPPED",
      previousState: "RUNNING",
    });

    // The access-denied host recovers: its first readable state is a baseline, not an alert.
    sc.set("sense2.corp.example", "query", "QlikSenseEngineService", "query-stopped.en.txt");
    sc.set("sense2.corp.example", "qc", "QlikSenseEngineService", "qc-auto-delayed.en.txt");
    await monitor.pollOnce();
    expect(events).toHaveLength(1);

    // Starting again: START_PENDING is quiet, RUNNING alerts.
    sc.set("localhost", "query", "QlikSenseProxyService", "query-start-pending.en.txt");
    await monitor.pollOnce();
    sc.set("localhost", "query", "QlikSenseProxyService", "query-running.en.txt");
    await clock.advance(30_000);
    await monitor.pollOnce();
    expect(events.map((e) => `${e.kind} ${e.previousState}→${e.state}`)).toEqual(["service.stopped RUNNING→STOPPED", "service.started STOPPED→RUNNING"]);

    // A service that cannot be read (not found) never produced an event.
    expect(events.some((e) => e.service.name === "NoSuchService")).toBe(false);
    expect(metrics.render()).toContain('steward_service_events_total{kind="service.stopped"} 1');
  });

  test("events carry what the notify channels need (schema, Influx win_service_state)", async () => {
    const { sc, events, monitor } = setup({ windows: [{ host: "localhost", services: ["QlikSensePrintingService"] }] });
    sc.set("localhost", "query", "QlikSensePrintingService", "query-running.en.txt");
    sc.set("localhost", "qc", "QlikSensePrintingService", "qc-disabled.en.txt");
    await monitor.pollOnce();
    sc.set("localhost", "query", "QlikSensePrintingService", "query-stopped.en.txt");
    await monitor.pollOnce();
    const e = events[0]!;
    expect(ServiceEventSchema.parse(e)).toEqual(e);
    const line = servicePoint({ tags: {} } as never, e).toLineProtocol()!;
    expect(line).toContain("win_service_state,");
    expect(line).toContain("service_name=QlikSensePrintingService");
    // Floats, as Butler wrote them (an integer would be refused next to Butler's history).
    expect(line).toMatch(/[ ,]state_num=1[, ]/);
    expect(line).toMatch(/[ ,]startup_mode_num=3[, ]/);
    expect(line).toContain('state_text="STOPPED"');
  });

  test("Windows services are skipped (with a warning) where sc.exe does not exist", async () => {
    const sc = scriptedSc();
    const monitor = createServiceMonitor(ServiceMonitorSchema.parse({ windows: [{ host: "localhost" }] }), {
      bus: createEventBus<DomainEvents>(createSilentLogger()),
      log: createSilentLogger(),
      clock: createManualClock(0),
      metrics: createMetricsRegistry(),
      run: sc.run,
      platform: "linux",
    });
    await monitor.pollOnce();
    expect(sc.calls).toEqual([]);
  });

  test("the default Windows host watches the seven Qlik Sense services; reconfigure changes the set", async () => {
    const { sc, monitor } = setup({ windows: [{}] });
    for (const n of [
      "QlikSenseRepositoryService",
      "QlikSenseEngineService",
      "QlikSenseProxyService",
      "QlikSenseSchedulerService",
      "QlikSenseServiceDispatcher",
      "QlikSensePrintingService",
      "QlikSenseRepositoryDatabase",
    ]) {
      sc.set("localhost", "query", n, "query-running.en.txt");
      sc.set("localhost", "qc", n, "qc-manual.en.txt");
    }
    await monitor.pollOnce();
    expect(monitor.snapshot()).toHaveLength(7);
    monitor.reconfigure(ServiceMonitorSchema.parse({ windows: [{ services: ["QlikSenseEngineService"] }] }));
    await monitor.pollOnce();
    expect(monitor.snapshot().map((s) => s.name)).toEqual(["QlikSenseEngineService"]);
  });

  test("config rejects names that could be options or shell text", () => {
    expect(ServiceMonitorSchema.safeParse({ windows: [{ services: ["-rf"] }] }).success).toBe(false);
    expect(ServiceMonitorSchema.safeParse({ windows: [{ services: ["a;b"] }] }).success).toBe(false);
    expect(ServiceMonitorSchema.safeParse({ windows: [{ host: "\\\\evil" }] }).success).toBe(false);
  });
});
