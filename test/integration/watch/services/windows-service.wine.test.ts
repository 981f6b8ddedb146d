// The Windows service path end to end under Wine (its own prefix and a persistent wineserver): the compiled
// steward.exe installs itself with sc.exe/reg.exe, `service start` has Wine's Service Control Manager start
// `steward.exe service run`, which answers the SCM through bun:ffi and serves HTTP; the service monitor (sc.exe
// run through Wine) sees it start and stop; a config that refuses to start is reported to the SCM as a
// service-specific error; uninstall removes it. What Wine cannot show (event-log contents, recovery actions,
// accounts) is listed in docs/install-windows.md.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ServiceMonitorSchema } from "../../../../src/watch/services/config";
import { createEventBus } from "../../../../src/platform/core/bus";
import { systemClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { DomainEvents, ServiceEvent } from "../../../../src/platform/events/types";
import type { CommandRunner } from "../../../../src/watch/services/command-runner";
import { createServiceMonitor } from "../../../../src/watch/services/monitor";
import { compiledBinaries } from "../../../helpers/compiled-binaries";
import { findExecutable } from "../../../helpers/executables";
import { freeTcpPort } from "../../../helpers/free-port";
import { createTempDir } from "../../../helpers/temp-dir";
import { DEFAULT_WINE_PREFIX, ensureWinePrefix, installWineShim, persistWineServer, runUnderWine, shutdownWine } from "../../../helpers/wine";

const haveWine = Boolean(findExecutable(["wine64", "wine"]) && findExecutable(["x86_64-w64-mingw32-gcc"]));
/** The run's prefix, shared with the other Wine tests; the service is uninstalled before and after. */
const PREFIX = DEFAULT_WINE_PREFIX;
const NAME = "StewardWineTest";
const tmp = createTempDir("steward-winsvc-");
let exe = "";
let port = 0;
const winPath = (p: string) => `Z:${p.replace(/\//g, "\\")}`;

async function steward(args: string[], timeoutMs = 120_000) {
  const r = await runUnderWine(exe, args, { prefix: PREFIX, timeoutMs });
  return { code: r.code, out: `${r.stdout}${r.stderr}`.trim() };
}

const wineSc: CommandRunner = async (file, args, o) => {
  const r = await runUnderWine(file, args, { prefix: PREFIX, timeoutMs: Math.max(o.timeoutMs, 30_000) });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, timedOut: false };
};

describe.skipIf(!haveWine)("Windows service under Wine", () => {
  beforeAll(async () => {
    await ensureWinePrefix(PREFIX);
    const [built] = await compiledBinaries({ targets: ["windows-x64"], outDir: join(tmp.path, "bin") });
    exe = built!.path;
    await installWineShim(exe);
    // A persistent wineserver keeps the SCM (services.exe) alive between the separate wine commands.
    persistWineServer(PREFIX);
    port = await freeTcpPort();
    mkdirSync(join(tmp.path, "cfg"));
    // The port comes from the secrets file next to the config: a Windows service has no EnvironmentFile=, so
    // serving on it shows that `service run` reads steward.env.
    writeFileSync(
      join(tmp.path, "cfg/steward.yaml"),
      `dataDir: ./data\nhttp:\n  host: 127.0.0.1\n  port: \${env:STEWARD_WINE_TEST_PORT}\nudp: { enabled: false }\n`,
    );
    writeFileSync(join(tmp.path, "cfg/steward.env"), `# secrets for the service\r\nSTEWARD_WINE_TEST_PORT=${port}\r\n`);
    writeFileSync(join(tmp.path, "cfg/bad.yaml"), `dataDir: ./data\nhttp: { host: 0.0.0.0, port: ${port} }\nudp: { enabled: false }\n`);
    // Left over from an interrupted run.
    await steward(["service", "uninstall", "--name", NAME]);
    await steward(["service", "uninstall", "--name", `${NAME}Bad`]);
  }, 400_000);

  afterAll(async () => {
    if (exe) await steward(["service", "uninstall", "--name", NAME]).catch(() => undefined);
    await shutdownWine(PREFIX).catch(() => undefined);
    tmp.remove();
  }, 120_000);

  test("install, start (native SCM), serve HTTP, monitor, stop, uninstall", async () => {
    const install = await steward(["service", "install", "--config", winPath(join(tmp.path, "cfg/steward.yaml")), "--name", NAME]);
    expect(install.code).toBe(0);
    expect(install.out).toContain("ok   register the service (automatic start)");
    expect(install.out).toContain("ok   restart after 5 s, 30 s, 60 s");
    expect(install.out).toContain("ok   register the event-log source");

    const sc = await wineSc("sc.exe", ["query", NAME], { timeoutMs: 30_000 });
    expect(sc.stdout).toMatch(/STATE\s+:\s+1\s+STOPPED/);

    const events: ServiceEvent[] = [];
    const bus = createEventBus<DomainEvents>(createSilentLogger());
    bus.onAny((_k, e) => void events.push(e as ServiceEvent));
    const monitor = createServiceMonitor(ServiceMonitorSchema.parse({ windows: [{ host: "localhost", services: [NAME] }] }), {
      bus,
      log: createSilentLogger(),
      clock: systemClock,
      metrics: createMetricsRegistry(),
      run: wineSc,
      platform: "win32",
    });
    await monitor.pollOnce();
    expect(monitor.snapshot()).toEqual([{ platform: "windows", host: "localhost", name: NAME, state: "STOPPED" }]);

    const start = await steward(["service", "start", "--name", NAME]);
    expect(start.out).toContain(`${NAME}: RUNNING`);
    expect(start.code).toBe(0);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const status = await steward(["service", "status", "--name", NAME]);
    expect(status.out).toStartWith(`${NAME}: RUNNING`);
    await monitor.pollOnce();
    expect(events.map((e) => `${e.kind} ${e.previousState}→${e.state}`)).toEqual(["service.started STOPPED→RUNNING"]);

    const stop = await steward(["service", "stop", "--name", NAME]);
    expect(stop.out).toContain(`${NAME}: STOPPED`);
    await expect(fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3000) })).rejects.toThrow();
    await monitor.pollOnce();
    expect(events.map((e) => e.kind)).toEqual(["service.started", "service.stopped"]);

    const log = readFileSync(join(tmp.path, "cfg/data/logs/steward.log"), "utf8");
    expect(log).toContain('"msg":"starting Steward as a Windows service"');
    expect(log).toContain('"msg":"REST API listening"');
    // The port came from steward.env, and every ${env:…} value is masked in the log as a secret.
    expect(log).toContain('"msg":"dashboard: http://127.0.0.1:[REDACTED]/ui"');
    expect(log).toContain('"by":"SCM stop"');
    expect(log).toContain('"msg":"Steward stopped cleanly"');

    const un = await steward(["service", "uninstall", "--name", NAME]);
    expect(un.code).toBe(0);
    expect(un.out).toContain("ok   remove the service");
    // Wine's sc.exe prints nothing for an unknown service (Windows says 1060).
    const gone = await wineSc("sc.exe", ["query", NAME], { timeoutMs: 30_000 });
    expect(gone.code).not.toBe(0);
  }, 300_000);

  test("a config that refuses to start is a failed start with a service-specific exit code", async () => {
    const name = `${NAME}Bad`;
    expect((await steward(["service", "install", "--config", winPath(join(tmp.path, "cfg/bad.yaml")), "--name", name, "--account", "LocalSystem"])).code).toBe(
      0,
    );
    const start = await steward(["service", "start", "--name", name]);
    expect(start.code).toBe(1);
    expect(start.out).toContain(`${name}: STOPPED`);
    const q = await wineSc("sc.exe", ["query", name], { timeoutMs: 30_000 });
    expect(q.stdout).toMatch(/WIN32_EXIT_CODE\s+:\s+1066/);
    expect(q.stdout).toMatch(/SERVICE_EXIT_CODE\s+:\s+1\s/);
    const log = readFileSync(join(tmp.path, "cfg/data/logs/steward.log"), "utf8");
    expect(log).toContain("refusing to serve the REST API on 0.0.0.0 without authentication");
    expect((await steward(["service", "uninstall", "--name", name])).code).toBe(0);
  }, 300_000);
});
