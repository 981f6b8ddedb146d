// Config reload with traffic in flight: HTTP requests and scheduler datagrams keep flowing while keys, a channel's
// URL and the routes change; every request gets an answer, every datagram becomes exactly one webhook delivery,
// the new keys and URL apply at once, and a changed non-live section is reported as restart required. An
// invalid file is rejected and the old config stays. SIGHUP does the same for `steward run`.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createApp, type StewardApp } from "../../../src/app";
import { auditMigrations, createAuditLog } from "../../../src/platform/audit/audit-log";
import { createConfigReloader } from "../../../src/composition/reload";
import { systemClock } from "../../../src/platform/core/clock";
import { coreMigrations } from "../../../src/platform/store/core-migrations";
import { openStore } from "../../../src/platform/store/database";
import { loadConfigFile, stewardConfigReader } from "../../../src/composition/config";
import { createSilentLogger } from "../../../src/platform/core/logger";
import { generateApiKey, hashApiKey } from "../../../src/platform/security/api-keys";
import { startProcess } from "../../helpers/child-process";
import { freeTcpPort } from "../../helpers/free-port";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { sendDatagram } from "../hear/intake/harness";

const tmp = createTempDir();
const keys = { admin: generateApiKey(), old: generateApiKey(), fresh: generateApiKey() };
const received: Array<{ path: string; executionId: string }> = [];
let receiver: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  receiver = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = (await req.json()) as { executionId?: string };
      // Slow enough that deliveries are in flight when the reload happens.
      await Bun.sleep(30);
      received.push({ path: new URL(req.url).pathname, executionId: body.executionId ?? "?" });
      return new Response("ok");
    },
  });
});
afterAll(() => {
  receiver.stop(true);
  tmp.remove();
});

function configText(o: { keys: Array<[string, string, string]>; hookPath: string; kvMaxKeys?: number; extra?: string }): string {
  const keyLines = o.keys.map(([name, key, scope]) => `    - { name: ${name}, hash: "${hashApiKey(key)}", scopes: [${scope}] }`).join("\n");
  return [
    "dataDir: ./data",
    "http: { host: 127.0.0.1, port: 0 }",
    "udp: { host: 127.0.0.1, port: 0 }",
    `kv: { maxKeysPerNamespace: ${o.kvMaxKeys ?? 1000} }`,
    "security:",
    "  rateLimit: { perKey: { enabled: false } }",
    "  apiKeys:",
    keyLines,
    "channels:",
    `  hook: { type: webhook, url: "${receiver.url.origin}${o.hookPath}" }`,
    "routes:",
    // Every failure of the one task is a delivery to count (Butler's way): renotify: once would hold the repeats.
    "  - { on: [task.failed], to: [hook], renotify: every }",
    o.extra ?? "",
  ].join("\n");
}

const EXEC = (i: number) => `0a1b2c3d-0000-4000-8000-${String(i).padStart(12, "0")}`;
const datagram = (i: number) =>
  `/scheduler-task-failed/;SENSE1;Reload Sales;Sales;INTERNAL\\sa_scheduler;6a7b8c9d-1e2f-4a3b-8c4d-5e6f7a8b9c0d;;2025-11-03 06:00:41,512;WARN;${EXEC(i)};Max retries reached`;

describe("config reload", () => {
  let app: StewardApp;
  const file = join(tmp.path, "steward.yaml");
  const adminHeaders = { "x-api-key": keys.admin };

  beforeAll(async () => {
    writeFileSync(
      file,
      configText({
        keys: [
          ["admin", keys.admin, "admin"],
          ["old", keys.old, "kv.read"],
        ],
        hookPath: "/a",
      }),
    );
    app = createApp(loadConfigFile(file), { log: createSilentLogger() });
    await app.start();
  });
  afterAll(() => app.stop());

  test("with requests and datagrams in flight: nothing is dropped, new keys and URL apply at once", async () => {
    const base = app.server!.url();
    const udpPort = app.intake.udp!.address()!.port;
    const statuses: Array<number | string> = [];
    let httpRunning = true;
    const httpTraffic = (async () => {
      while (httpRunning) {
        const batch = await Promise.all(
          Array.from({ length: 5 }, () =>
            fetch(`${base}/v4/keyvaluesnamespaces`, { headers: { "x-api-key": keys.old } }).then(
              (r) => r.status,
              (e: Error) => `error: ${e.message}`,
            ),
          ),
        );
        statuses.push(...batch);
      }
    })();
    const udpTraffic = (async () => {
      for (let i = 0; i < 40; i++) {
        await sendDatagram(datagram(i), udpPort);
        await Bun.sleep(5);
      }
    })();

    await waitFor(() => received.length >= 5, { what: "the first deliveries" });
    writeFileSync(
      file,
      configText({
        keys: [
          ["admin", keys.admin, "admin"],
          ["fresh", keys.fresh, "kv.read"],
        ],
        hookPath: "/b",
        kvMaxKeys: 50,
      }),
    );
    const r = await fetch(`${base}/v4/admin/reload`, { method: "POST", headers: adminHeaders });
    expect(r.status).toBe(200);
    const report = (await r.json()) as { changed: string[]; applied: string[]; restartRequired: string[] };
    expect(report.changed).toEqual(["channels", "kv", "security"]);
    expect(report.applied.sort()).toEqual(["notify", "security"]);
    expect(report.restartRequired).toEqual(["kv"]);

    // The very next request sees the new keys.
    expect((await fetch(`${base}/v4/keyvaluesnamespaces`, { headers: { "x-api-key": keys.old } })).status).toBe(401);
    expect((await fetch(`${base}/v4/keyvaluesnamespaces`, { headers: { "x-api-key": keys.fresh } })).status).toBe(200);
    await udpTraffic;
    httpRunning = false;
    await httpTraffic;

    // Every request was answered (200 before the swap, 401 after); no connection was dropped.
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.filter((s) => s !== 200 && s !== 401)).toEqual([]);
    expect(statuses[0]).toBe(200);
    expect(statuses.at(-1)).toBe(401);

    // Every datagram became exactly one delivery; those after the swap went to the new URL.
    await waitFor(() => received.length >= 40, { timeoutMs: 20_000, what: "40 deliveries" });
    await Bun.sleep(200);
    expect(received.length).toBe(40);
    expect(new Set(received.map((x) => x.executionId))).toEqual(new Set(Array.from({ length: 40 }, (_, i) => EXEC(i))));
    expect(received.some((x) => x.path === "/a")).toBe(true);
    expect(received.some((x) => x.path === "/b")).toBe(true);
    const lastOld = received.findLastIndex((x) => x.path === "/a");
    const firstNew = received.findIndex((x) => x.path === "/b");
    expect(lastOld).toBeLessThan(firstNew);

    // The rebuilt notifier kept counting in the same metrics.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('steward_notify_deliveries_total{channel="hook",outcome="delivered"} 40');

    const audit = (await app.audit.query({ action: "config.reload" }))[0]!;
    expect(audit).toMatchObject({ result: "ok", actor: { kind: "apiKey", name: "admin" }, details: { trigger: "api", restartRequired: ["kv"] } });
  }, 60_000);

  test("an invalid file is rejected with its errors; the running config stays", async () => {
    const base = app.server!.url();
    writeFileSync(file, configText({ keys: [["admin", keys.admin, "admin"]], hookPath: "/b", extra: "securty: {}\n" }));
    const r = await fetch(`${base}/v4/admin/reload`, { method: "POST", headers: adminHeaders });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { code: string; error: string };
    expect(body.code).toBe("CONFIG_INVALID");
    expect(body.error).toContain("the running config stays in force");
    expect(body.error).toMatch(/steward\.yaml:\d+:\d+ securty/);
    expect(body.error).toContain('did you mean "security"');
    expect((await fetch(`${base}/v4/keyvaluesnamespaces`, { headers: { "x-api-key": keys.fresh } })).status).toBe(200);
    expect((await app.audit.query({ action: "config.reload" }))[0]).toMatchObject({ result: "failed" });
  });

  test("a reload that would leave a non-loopback listener unauthenticated is refused", async () => {
    const t2 = createTempDir();
    try {
      const f = join(t2.path, "s.yaml");
      const text = (k: boolean) =>
        `http: { host: 0.0.0.0, port: 0 }\nudp: { enabled: false }\nsecurity:\n  apiKeys: ${k ? `[{ name: admin, hash: "${hashApiKey(keys.admin)}", scopes: [admin] }]` : "[]"}\n`;
      writeFileSync(f, text(true));
      const a = createApp(loadConfigFile(f), { log: createSilentLogger() });
      await a.start();
      try {
        writeFileSync(f, text(false));
        await expect(a.reloader.reload("test", { kind: "system", name: "test" })).rejects.toThrow("refusing to serve the REST API on 0.0.0.0");
        expect((await fetch(`${a.server!.url()}/v4/audit`, { headers: adminHeaders })).status).toBe(200);
      } finally {
        await a.stop();
      }
    } finally {
      t2.remove();
    }
  });
});

describe("SIGHUP", () => {
  test("steward run reloads its config file on SIGHUP", async () => {
    const dir = join(tmp.path, "sighup");
    const file = join(dir, "steward.yaml");
    const port = await freeTcpPort();
    const text = (key: string) =>
      `dataDir: ./data\nhttp: { host: 127.0.0.1, port: ${port} }\nudp: { enabled: false }\nsecurity:\n  apiKeys: [{ name: k, hash: "${hashApiKey(key)}", scopes: [kv.read] }]\n`;
    await Bun.write(file, text(keys.old));
    const proc = startProcess(process.execPath, [resolve(import.meta.dir, "../../../src/main.ts"), "run", "--config", file, "--log-format", "json"]);
    try {
      const url = `http://127.0.0.1:${port}/v4/keyvaluesnamespaces`;
      await waitFor(async () => (await fetch(url, { headers: { "x-api-key": keys.old } })).status === 200, { timeoutMs: 20_000, what: "steward run to serve" });
      await Bun.write(file, text(keys.fresh));
      process.kill(proc.pid, "SIGHUP");
      await waitFor(async () => (await fetch(url, { headers: { "x-api-key": keys.fresh } })).status === 200, { what: "the new key after SIGHUP" });
      expect((await fetch(url, { headers: { "x-api-key": keys.old } })).status).toBe(401);
      expect(proc.hasExited()).toBe(false);
      expect(proc.output()).toContain("config reloaded");
    } finally {
      expect(await proc.stop("SIGTERM")).toBe(0);
    }
  }, 60_000);
});

describe("reloader", () => {
  test("a component that rejects the new config stops the whole reload; none is applied", async () => {
    const dir = join(tmp.path, "unit");
    const f = join(dir, "s.yaml");
    await Bun.write(f, "udp: { port: 1 }\n");
    const store = openStore(join(dir, "data"), [coreMigrations, auditMigrations]);
    try {
      const r = createConfigReloader(loadConfigFile(f), {
        log: createSilentLogger(),
        audit: createAuditLog(store.sql, systemClock),
        reader: stewardConfigReader,
      });
      const applied: string[] = [];
      r.register({ name: "a", sections: ["udp"], prepare: () => ({ apply: () => void applied.push("a") }) });
      r.register({
        name: "b",
        sections: ["udp"],
        prepare: () => {
          throw new Error("b says no");
        },
      });
      await Bun.write(f, "udp: { port: 2 }\n");
      await expect(r.reload("test", { kind: "system", name: "t" })).rejects.toThrow("b says no");
      expect(applied).toEqual([]);
      expect(r.current().config.udp.port).toBe(1);
      // Unchanged file: nothing to apply, nothing to restart.
      await Bun.write(f, "udp: { port: 1 }\n");
      const same = await r.reload("test", { kind: "system", name: "t" });
      expect(same).toMatchObject({ changed: [], applied: [], restartRequired: [] });
    } finally {
      store.close();
    }
  });
});

describe("restart required is measured against what runs, not the last file read", () => {
  test("a second reload still reports the pending restart; undoing the change clears it", async () => {
    const dir = join(tmp.path, "pending");
    const f = join(dir, "s.yaml");
    await Bun.write(f, "kv: { maxKeysPerNamespace: 10 }\n");
    const store = openStore(join(dir, "data"), [coreMigrations, auditMigrations]);
    try {
      const r = createConfigReloader(loadConfigFile(f), {
        log: createSilentLogger(),
        audit: createAuditLog(store.sql, systemClock),
        reader: stewardConfigReader,
      });
      const actor = { kind: "system", name: "t" } as const;
      await Bun.write(f, "kv: { maxKeysPerNamespace: 20 }\n");
      expect(await r.reload("test", actor)).toMatchObject({ changed: ["kv"], restartRequired: ["kv"] });
      // Nothing changed since the last reload, but the process still runs with 10.
      expect(await r.reload("test", actor)).toMatchObject({ changed: [], restartRequired: ["kv"] });
      await Bun.write(f, "kv: { maxKeysPerNamespace: 10 }\n");
      expect(await r.reload("test", actor)).toMatchObject({ changed: ["kv"], restartRequired: [] });
    } finally {
      store.close();
    }
  });

  test("newRelic and grouping need a restart, and docs/configuration.md says so where it lists what a reload applies", async () => {
    const dir = join(tmp.path, "doc-table");
    const f = join(dir, "s.yaml");
    const text = (timeout: number, grouping: boolean) =>
      `dataDir: ./data\nhttp: { enabled: false }\nudp: { enabled: false }\ngrouping: { enabled: ${grouping} }\n` +
      `newRelic: { accounts: [{ name: ops, accountId: 1234567, insertApiKey: k }], timeout: ${timeout} }\n`;
    await Bun.write(f, text(10_000, true));
    const app = createApp(loadConfigFile(f), { log: createSilentLogger() });
    try {
      await Bun.write(f, text(20_000, false));
      expect((await app.reloader.reload("test", { kind: "system", name: "t" })).restartRequired).toEqual(["grouping", "newRelic"]);
    } finally {
      await app.stop();
    }
    const page = await Bun.file(resolve(import.meta.dir, "../../../docs/configuration.md")).text();
    const restartColumn = /^\| `security` .*\| (.*) \|$/m.exec(page)?.[1] ?? "";
    for (const section of ["newRelic", "grouping"]) expect(restartColumn).toContain(`\`${section}\``);
  });

  test("security.tls: the listener keeps its certificate until a restart, however often the file is reloaded", async () => {
    const dir = join(tmp.path, "tls-pending");
    const f = join(dir, "s.yaml");
    for (const name of ["a.pem", "a-key.pem", "b.pem", "b-key.pem"])
      await Bun.write(join(dir, name), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    const text = (cert: string) =>
      `dataDir: ./data\nhttp: { enabled: false }\nudp: { enabled: false }\nsecurity:\n  tls: { certFile: ./${cert}.pem, keyFile: ./${cert}-key.pem }\n`;
    await Bun.write(f, text("a"));
    const app = createApp(loadConfigFile(f), { log: createSilentLogger() });
    try {
      const actor = { kind: "system", name: "t" } as const;
      await Bun.write(f, text("b"));
      expect((await app.reloader.reload("test", actor)).restartRequired).toEqual(["security.tls"]);
      expect((await app.reloader.reload("test", actor)).restartRequired).toEqual(["security.tls"]);
      await Bun.write(f, text("a"));
      expect((await app.reloader.reload("test", actor)).restartRequired).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});
