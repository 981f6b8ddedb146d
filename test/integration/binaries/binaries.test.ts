// Smoke test of the compiled single-file binaries: each copied alone into an empty directory runs
// `version`, `config check` (good and bad file) and `run` with /health, /v4/butlerping and /help over HTTP.
// Linux natively; Windows under Wine (with the bcryptprimitives shim beside the exe).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pkg from "../../../package.json" with { type: "json" };
import { binaryName, buildVersion, type BuildTarget } from "../../../scripts/build";
import { startProcess, type RunningProcess } from "../../helpers/child-process";
import { compiledBinaries } from "../../helpers/compiled-binaries";
import { freeTcpPort, freeUdpPort } from "../../helpers/free-port";
import { createTempDir, type TempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { ensureWinePrefix, installWineShim, persistWineServer, runUnderWine, shutdownWine, startUnderWine } from "../../helpers/wine";

/**
 * What `npm run build` injects: package.json's version and the commit (the executables are shared with the other test
 * files that run them, test/helpers/compiled-binaries.ts). Not package.json's version alone, which the code falls
 * back to without the injection: seeing it proves `define` reaches both the CLI and the HTTP API.
 */
const VERSION = buildVersion();
const HOST = "127.0.0.1";

interface Platform {
  target: BuildTarget;
  /** Prepares the directory holding the lone binary (Windows: the Wine prefix and the DLL shim). */
  prepare(exe: string): Promise<void>;
  run(exe: string, args: string[], cwd: string, env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  start(exe: string, args: string[], cwd: string): RunningProcess;
  /** How a service manager asks the process to stop gracefully on that OS. */
  stopSignal: NodeJS.Signals;
  cleanup(): Promise<void>;
}

const linux: Platform = {
  target: "linux-x64",
  prepare: async () => {},
  run: async (exe, args, cwd, env) => {
    const proc = startProcess(exe, args, { cwd, env: { ...process.env, ...env } });
    const timer = setTimeout(() => void proc.stop("SIGKILL"), 30_000);
    const code = await proc.exited;
    clearTimeout(timer);
    return { code, stdout: proc.stdout(), stderr: proc.stderr() };
  },
  start: (exe, args, cwd) => startProcess(exe, args, { cwd }),
  stopSignal: "SIGTERM",
  cleanup: async () => {},
};

const windows: Platform = {
  target: "windows-x64",
  prepare: async (exe) => {
    await ensureWinePrefix();
    await installWineShim(exe);
    // One Wine session for the file's commands (ended by shutdownWine in cleanup).
    persistWineServer();
  },
  run: (exe, args, cwd, env) => runUnderWine(exe, args, { cwd, timeoutMs: 60_000, ...(env ? { env } : {}) }),
  start: (exe, args, cwd) => startUnderWine(exe, args, { cwd }),
  // Wine turns SIGINT into a console Ctrl-C event, which Bun on Windows handles like SIGINT.
  stopSignal: "SIGINT",
  cleanup: () => shutdownWine(),
};

let buildDir: TempDir;
let built: Map<BuildTarget, string>;

beforeAll(async () => {
  buildDir = createTempDir("steward-build-");
  expect(VERSION).toStartWith(`${pkg.version}+`);
  const out = await compiledBinaries({ targets: [linux.target, windows.target], outDir: buildDir.path, version: VERSION });
  built = new Map(out.map((b) => [b.target, b.path]));
}, 300_000);

afterAll(() => {
  buildDir?.remove();
});

for (const platform of [linux, windows]) {
  describe(`${platform.target} binary`, () => {
    let dir: TempDir;
    let exe: string;

    beforeAll(async () => {
      dir = createTempDir(`steward-bin-${platform.target}-`);
      exe = join(dir.path, binaryName(platform.target));
      const src = built.get(platform.target);
      if (!src) throw new Error(`no ${platform.target} binary was built`);
      copyFileSync(src, exe);
      await platform.prepare(exe);
      writeFileSync(join(dir.path, "good.yaml"), "http:\n  host: 127.0.0.1\n  port: 8080\n");
      writeFileSync(join(dir.path, "bad.yaml"), 'http:\n  host: 127.0.0.1\n  port: "25x"\n');
    }, 300_000);

    afterAll(async () => {
      await platform.cleanup();
      dir?.remove();
    }, 60_000);

    test("version prints the injected version", async () => {
      const r = await platform.run(exe, ["version"], dir.path);
      expect({ code: r.code, stdout: r.stdout.trim() }).toEqual({ code: 0, stdout: VERSION });
    });

    test("config check accepts a valid file", async () => {
      const r = await platform.run(exe, ["config", "check", "good.yaml"], dir.path);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("good.yaml");
    });

    test("config check rejects an invalid file with exit 2, naming path and line:col", async () => {
      const r = await platform.run(exe, ["config", "check", "bad.yaml"], dir.path);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('bad.yaml:3:9 http.port: expected number, got "25x"');
    });

    test("config explain prints a key's reference entry from the binary alone (config/full.yaml is embedded)", async () => {
      const r = await platform.run(exe, ["config", "explain", "channels.ops-mail.smtp.host"], dir.path);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("channels.*.smtp.host (type: email)");
      expect(r.stdout).toContain("SMTP server host name or address.");
      expect(r.stdout).toContain("host: smtp.corp.example");
      const unknown = await platform.run(exe, ["config", "explain", "kv.maxValueByte"], dir.path);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("did you mean kv.maxValueBytes?");
    });

    test("a .env file next to the binary is not loaded", async () => {
      const name = `STEWARD_BINTEST_${platform.target.replace("-", "_").toUpperCase()}`;
      writeFileSync(join(dir.path, ".env"), `${name}=./from-dotenv\n`);
      writeFileSync(join(dir.path, "dotenv.yaml"), `dataDir: \${env:${name}}\n`);
      try {
        const r = await platform.run(exe, ["config", "check", "dotenv.yaml"], dir.path);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`environment variable ${name} is not set`);
      } finally {
        writeFileSync(join(dir.path, ".env"), "");
      }
    });

    /** Starts `run`, checks what it serves, stops it with the platform's signal: the exit code and the output. */
    const serveAndStop = async (): Promise<{ code: number; output: string }> => {
      const [httpPort, udpPort] = [await freeTcpPort(HOST), await freeUdpPort(HOST)];
      writeFileSync(
        join(dir.path, "run.yaml"),
        [
          "http:",
          `  host: ${HOST}`,
          `  port: ${httpPort}`,
          "udp:",
          `  host: ${HOST}`,
          `  port: ${udpPort}`,
          "dataDir: ./data",
          "logging:",
          "  level: info",
          "  format: json",
          "",
        ].join("\n"),
      );
      const proc = platform.start(exe, ["run", "--config", "run.yaml"], dir.path);
      try {
        const base = `http://${HOST}:${httpPort}`;
        const health = await waitFor(
          async () => {
            if (proc.hasExited()) throw new Error(`steward exited early:\n${proc.output()}`);
            const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) });
            return res;
          },
          { what: `${platform.target} /health`, timeoutMs: 45_000, intervalMs: 100 },
        ).catch((err: unknown) => {
          throw new Error(`${err instanceof Error ? err.message : err}\n--- output ---\n${proc.output()}`);
        });
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: "ok" });

        const ping = await fetch(`${base}/v4/butlerping`, { signal: AbortSignal.timeout(5_000) });
        expect(ping.status).toBe(200);
        expect(await ping.json()).toEqual({ response: "Butler reporting for duty", butlerVersion: VERSION });
        // The docs travel inside the binary: /help works with nothing but the lone executable.
        const help = await fetch(`${base}/help/watchdog`, { signal: AbortSignal.timeout(10_000) });
        expect(help.status).toBe(200);
        expect(await help.text()).toContain('<h1 id="the-watchdog');
        expect(existsSync(join(dir.path, "data"))).toBe(true);
      } catch (err) {
        await proc.stop(platform.stopSignal, 15_000);
        throw err;
      }
      const code = await proc.stop(platform.stopSignal, 15_000);
      return { code, output: code === 0 ? "" : proc.output() };
    };

    test("run serves /health and /v4/butlerping, then stops gracefully with exit 0", async () => {
      let stopped = await serveAndStop();
      // Wine's own client, not Steward, sometimes loses its connection to the wineserver while a process with several
      // threads exits ("wine client error:…: recvmsg: Connection reset by peer", exit 1 and nothing else; seen twice
      // in many runs, each time passing alone right after): the whole run is tried once more then.
      if (platform === windows && stopped.code !== 0 && /^(wine client error:[^\n]*\n?)+$/.test(stopped.output)) stopped = await serveAndStop();
      expect(stopped).toEqual({ code: 0, output: "" });
    }, 180_000);

    // Only the Linux binary: the simulator's TLS listeners are Linux-tested (DESIGN.md, Wine notes).
    if (platform === linux) {
      test("steward sim runs the Qlik Sense simulator from the binary alone (embedded site, generated certificates)", async () => {
        const controlPort = await freeTcpPort(HOST);
        const proc = platform.start(
          exe,
          [
            "sim",
            "--certs",
            "sim-certs",
            "--qrs-port",
            "0",
            "--engine-port",
            "0",
            "--version-port",
            "0",
            "--control-port",
            String(controlPort),
            "--no-schedules",
          ],
          dir.path,
        );
        try {
          const state = await waitFor(
            async () => {
              if (proc.hasExited()) throw new Error(`steward sim exited early:\n${proc.output()}`);
              const res = await fetch(`http://${HOST}:${controlPort}/state`, { signal: AbortSignal.timeout(2_000) });
              return res.ok ? ((await res.json()) as { tasks: unknown[]; apps: unknown[] }) : undefined;
            },
            { what: "steward sim control API", timeoutMs: 30_000, intervalMs: 100 },
          );
          expect(state.tasks.length).toBeGreaterThanOrEqual(20);
          expect(state.apps.length).toBeGreaterThanOrEqual(12);
          expect(existsSync(join(dir.path, "sim-certs", "client.pem"))).toBe(true);
        } finally {
          expect(await proc.stop("SIGTERM", 15_000)).toBe(0);
        }
      }, 60_000);

      test("the store's WAL checkpoint thread runs in the binary (a worker module the build embeds)", async () => {
        const [httpPort, udpPort] = [await freeTcpPort(HOST), await freeUdpPort(HOST)];
        writeFileSync(
          join(dir.path, "wal.yaml"),
          `http: { host: ${HOST}, port: ${httpPort} }\nudp: { host: ${HOST}, port: ${udpPort} }\ndataDir: ./wal-data\nlogging: { level: warn, format: json }\n`,
        );
        const proc = platform.start(exe, ["run", "--config", "wal.yaml"], dir.path);
        const base = `http://${HOST}:${httpPort}`;
        const metric = async (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(await (await fetch(`${base}/metrics`)).text())?.[1]);
        try {
          await waitFor(
            async () => {
              if (proc.hasExited()) throw new Error(`steward exited early:\n${proc.output()}`);
              return (await fetch(`${base}/ready`, { signal: AbortSignal.timeout(2_000) })).ok;
            },
            { what: "steward ready", timeoutMs: 45_000, intervalMs: 100 },
          );
          // About 8 MB of values: twice the WAL the thread copies on at.
          const value = "v".repeat(200_000);
          for (let i = 0; i < 40; i++) {
            const res = await fetch(`${base}/v4/keyvalues/wal`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ key: `k${i}`, value }),
            });
            expect(res.status).toBe(201);
          }
          await waitFor(async () => (await metric("steward_store_wal_checkpoints_total")) >= 1, { what: "a checkpoint by the thread" });
          expect(await metric("steward_store_wal_checkpoint_fallback")).toBe(0);
        } finally {
          expect(await proc.stop("SIGTERM", 15_000)).toBe(0);
        }
        expect(proc.output()).not.toContain("checkpoint thread stopped");
      }, 120_000);
    }
  });
}
