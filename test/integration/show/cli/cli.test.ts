// The CLI as a user runs it (a child process): exit codes 0/1/2, config check messages, `run` serving HTTP
// and stopping cleanly on SIGTERM and SIGINT.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { startProcess } from "../../../helpers/child-process";
import { freeTcpPort } from "../../../helpers/free-port";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { wallLimit } from "../../../helpers/time-limit";

const main = join(import.meta.dir, "../../../../src/main.ts");
const tmp = createTempDir();
afterAll(() => tmp.remove());

async function steward(...args: string[]): Promise<{ code: number; out: string }> {
  // The JSON Schema of every key is over 256 KiB (the helper's default keeps the last 256 KiB of output).
  const p = startProcess(process.execPath, [main, ...args], { cwd: tmp.path, maxOutput: 4 * 1024 * 1024 });
  const code = await p.exited;
  return { code, out: p.output() };
}

describe("options", () => {
  test("an unknown option is named, with the command's usage, exit 2", async () => {
    const r = await steward("run", "--bogus");
    expect(r.code).toBe(2);
    expect(r.out).toContain("run: unknown option --bogus");
    expect(r.out).toContain("Usage: steward run");
    expect(r.out).not.toContain("ERR_PARSE_ARGS");
  });

  test("an option without its value says so", async () => {
    const r = await steward("run", "--config");
    expect(r.code).toBe(2);
    expect(r.out).toContain("run: option --config needs a value");
  });

  test("Butler's --configfile names the config like --config; STEWARD_CONFIG when neither is given", async () => {
    const bad = join(tmp.path, "bad.yaml");
    writeFileSync(bad, "http: { port: nope }\n");
    const viaFlag = await steward("run", "--configfile", bad);
    expect(viaFlag.code).toBe(2);
    expect(viaFlag.out).toContain("bad.yaml");
    expect((await steward("run", "--config", bad, "--configfile", bad)).out).toContain("not both");
    const p = startProcess(process.execPath, [main, "run"], { cwd: tmp.path, env: { ...process.env, STEWARD_CONFIG: bad } });
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain("bad.yaml");
  });
});

describe("exit codes", () => {
  test("version → 0", async () => {
    const r = await steward("version");
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test("--help and <cmd> --help → 0; no command → 2", async () => {
    expect((await steward("--help")).code).toBe(0);
    const runHelp = await steward("run", "--help");
    expect(runHelp.code).toBe(0);
    expect(runHelp.out).toContain("Usage: steward run");
    expect((await steward()).code).toBe(2);
  });

  test("usage errors → 2 with a hint", async () => {
    const unknown = await steward("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain("unknown command 'frobnicate'");
    expect((await steward("run", "--no-such-flag")).code).toBe(2);
    expect((await steward("config", "check")).code).toBe(2);
    expect((await steward("run", "--log-level", "loud")).code).toBe(2);
  });

  test("config check: valid → 0, invalid → 2 with file:line:col path: message", async () => {
    writeFileSync(join(tmp.path, "good.yaml"), "http:\n  port: 8088\n");
    writeFileSync(join(tmp.path, "bad.yaml"), "http:\n  port: 8088\n  hots: x\n");
    const good = await steward("config", "check", "good.yaml");
    expect(good.code).toBe(0);
    expect(good.out).toContain("good.yaml: valid");
    const bad = await steward("config", "check", "bad.yaml");
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('bad.yaml:3:3 http.hots: unknown key (did you mean "host"?)');
  });

  test("config check refuses what run would refuse: missing certificate and TLS files", async () => {
    writeFileSync(join(tmp.path, "nocerts.yaml"), "qlik:\n  host: sense1.corp.example\n  certDir: ./no-such-certs\n");
    const qlik = await steward("config", "check", "nocerts.yaml");
    expect(qlik.code).toBe(2);
    expect(qlik.out).toContain("cannot read the Qlik client certificate");
    expect(qlik.out).toContain("no-such-certs");
    writeFileSync(join(tmp.path, "notls.yaml"), "security:\n  tls:\n    certFile: ./missing.pem\n    keyFile: ./missing-key.pem\n");
    const tls = await steward("config", "check", "notls.yaml");
    expect(tls.code).toBe(2);
    expect(tls.out).toContain("security.tls.certFile: cannot read");
  });

  test("config check refuses the open listener run refuses: 0.0.0.0 without keys, naming http.host's line", async () => {
    writeFileSync(join(tmp.path, "open.yaml"), "dataDir: ./open-data\nhttp:\n  host: 0.0.0.0\n  port: 8443\n");
    const open = await steward("config", "check", "open.yaml");
    expect(open.code).toBe(2);
    expect(open.out).toContain("open.yaml:3:9 http.host: refusing to serve the REST API on 0.0.0.0 without authentication");
    writeFileSync(join(tmp.path, "open-ok.yaml"), "dataDir: ./open-data\nhttp:\n  host: 0.0.0.0\nsecurity:\n  allowUnauthenticated: true\n");
    expect((await steward("config", "check", "open-ok.yaml")).code).toBe(0);
    // Run-time keys in the config's own store count, as they do for `run`.
    const dir = join(tmp.path, "open-data");
    mkdirSync(dir, { recursive: true });
    const db = new DatabaseSync(join(dir, "steward.db"));
    db.exec(
      "CREATE TABLE api_keys (name TEXT PRIMARY KEY, hash TEXT NOT NULL, scopes TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL, revoked_at TEXT, last_used_at TEXT)",
    );
    db.prepare("INSERT INTO api_keys (name, hash, scopes, created_at, created_by) VALUES ('ops', 'sha256:00', '[\"admin\"]', '2026-01-01', 'api')").run();
    db.close();
    expect((await steward("config", "check", "open.yaml")).code).toBe(0);
  });

  test("config check lists every file-level problem in one run, in line order, each with its line and key", async () => {
    writeFileSync(join(tmp.path, "not-a-cert.pem"), "not a certificate\n");
    writeFileSync(
      join(tmp.path, "many.yaml"),
      [
        "dataDir: ./many-data",
        "qlik:",
        "  host: sense1.corp.example",
        "  clientCert: ./no-client.pem",
        "  certDir: ./no-certs",
        "files:",
        "  copy:",
        "    - { from: 'D:\\QlikData\\in', to: ./out }",
        "security:",
        "  tls:",
        "    certFile: ./not-a-cert.pem",
        "    keyFile: ./not-a-cert.pem",
        "mqtt:",
        "  url: mqtt://127.0.0.1:1883",
        "  tls: { ca: ./no-mqtt-ca.pem }",
        "http:",
        "  host: 10.1.2.3",
        "",
      ].join("\n"),
    );
    const r = await steward("config", "check", "many.yaml");
    expect(r.code).toBe(2);
    const lines = r.out.split("\n").filter((l) => l.startsWith("many.yaml:"));
    expect(lines.map((l) => l.split(": ")[0])).toEqual([
      "many.yaml:4:15 qlik.clientCert",
      "many.yaml:5:12 qlik.certDir",
      "many.yaml:5:12 qlik.certDir",
      "many.yaml:8:15 files.copy[0].from",
      "many.yaml:11:15 security.tls.certFile",
      "many.yaml:15:14 mqtt.tls.ca",
      "many.yaml:17:9 http.host",
    ]);
    expect(lines[0]).toContain("no-client.pem");
    expect(lines[3]).toContain("Windows paths are not accepted");
    expect(lines[4]).toContain("the HTTPS listener cannot use ./not-a-cert.pem with ./not-a-cert.pem");
    expect(lines[5]).toContain("no-mqtt-ca.pem: ENOENT");
  });

  test("config/full.yaml: its header says check reads certificates and folders, and check does", async () => {
    const full = join(import.meta.dir, "../../../../config/full.yaml");
    const header = (await Bun.file(full).text())
      .split("\n")
      .filter((l) => l.startsWith("#"))
      .slice(0, 12)
      .join(" ");
    expect(header).not.toContain("only read by `steward run`");
    expect(header).toContain("reads the certificate and key files");
    // Every ${env:…} of the example gets a value that passes as URL, token or password alike.
    const names = [...(await Bun.file(full).text()).matchAll(/\$\{env:([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!);
    const env = Object.fromEntries(names.map((n) => [n, "https://example.invalid/0123456789"]));
    const p = startProcess(process.execPath, [main, "config", "check", full], { cwd: tmp.path, env: { ...process.env, ...env } });
    expect(await p.exited).toBe(2);
    const out = p.output();
    expect(out).toContain("qlik.certDir: cannot read the Qlik client certificate");
    expect(out).toContain("files.copy[0].from: contains a backslash");
    expect(out).toContain("security.tls.certFile: cannot read");
  });

  test("config schema prints a JSON Schema", async () => {
    const r = await steward("config", "schema");
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.out);
    expect(schema.properties.http.properties.port.type).toBe("integer");
  });
});

describe("run refused", () => {
  test(
    "a config refused at start-up exits 2 and does not make the next start report a crash",
    async () => {
      const dir = join(tmp.path, "refused-data");
      writeFileSync(
        join(tmp.path, "refused.yaml"),
        `dataDir: ${dir}\nhttp:\n  port: 0\nudp:\n  host: 127.0.0.1\n  port: 0\nsecurity:\n  tls:\n    certFile: ./missing.pem\n    keyFile: ./missing-key.pem\n`,
      );
      const refused = await steward("run", "--config", "refused.yaml");
      expect(refused.code).toBe(2);
      expect(refused.out).toContain("security.tls.certFile: cannot read");
      const port = await freeTcpPort();
      writeFileSync(join(tmp.path, "after.yaml"), `dataDir: ${dir}\nhttp:\n  port: ${port}\nudp:\n  host: 127.0.0.1\n  port: 0\nlogging:\n  format: json\n`);
      const p = startProcess(process.execPath, [main, "run", "--config", "after.yaml"], { cwd: tmp.path });
      try {
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true, {
          timeoutMs: 15_000,
          what: "steward /health",
        });
        expect(p.output()).not.toContain("did not stop cleanly");
      } finally {
        await p.stop("SIGTERM", 15_000);
      }
    },
    wallLimit(40_000),
  );
});

describe("run", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(
      `serves HTTP and stops cleanly on ${signal}; a second instance on the same data exits 1`,
      async () => {
        const port = await freeTcpPort();
        const dir = join(tmp.path, `run-${signal}`);
        const cfg = join(tmp.path, `run-${signal}.yaml`);
        writeFileSync(cfg, `dataDir: ${dir}\nhttp:\n  port: ${port}\nudp:\n  host: 127.0.0.1\n  port: 0\nlogging:\n  format: json\n`);
        const p = startProcess(process.execPath, [main, "run", "--config", cfg], { cwd: tmp.path });
        try {
          await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true, {
            timeoutMs: 15_000,
            what: "steward /health",
          });
          const ping = await (await fetch(`http://127.0.0.1:${port}/v4/butlerping`)).json();
          expect(ping).toMatchObject({ response: "Butler reporting for duty" });
          // The dashboard's address is printed at start, so an administrator knows where to look.
          await waitFor(() => p.output().includes(`"msg":"dashboard: http://127.0.0.1:${port}/ui"`), { timeoutMs: 5000, what: "the dashboard URL in the log" });

          const second = await steward("run", "--config", cfg);
          expect(second.code).toBe(1);
          expect(second.out).toContain("in use by another Steward instance");

          expect(await p.stop(signal, 15_000)).toBe(0);
          expect(p.output()).toContain("stopped cleanly");
          expect(existsSync(join(dir, "steward.pid"))).toBe(false);
          const db = new DatabaseSync(join(dir, "steward.db"));
          expect(db.prepare("SELECT value FROM meta WHERE key = 'clean_stop'").get()).toEqual({ value: "true" } as never);
          db.close();
        } finally {
          if (!p.hasExited()) await p.stop("SIGKILL", 1000);
        }
      },
      wallLimit(40_000),
    );
  }
});
