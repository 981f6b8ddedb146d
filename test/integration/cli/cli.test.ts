// The CLI as a user runs it (a child process): exit codes 0/1/2, config check messages, `run` serving HTTP
// and stopping cleanly on SIGTERM and SIGINT.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { startProcess } from "../../helpers/child-process";
import { freeTcpPort } from "../../helpers/free-port";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";

const main = join(import.meta.dir, "../../../src/main.ts");
const tmp = createTempDir();
afterAll(() => tmp.remove());

async function steward(...args: string[]): Promise<{ code: number; out: string }> {
  const p = startProcess(process.execPath, [main, ...args], { cwd: tmp.path });
  const code = await p.exited;
  return { code, out: p.output() };
}

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

  test("config schema prints a JSON Schema", async () => {
    const r = await steward("config", "schema");
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.out);
    expect(schema.properties.http.properties.port.type).toBe("integer");
  });
});

describe("run refused", () => {
  test("a config refused at start-up exits 2 and does not make the next start report a crash", async () => {
    const dir = join(tmp.path, "refused-data");
    writeFileSync(join(tmp.path, "refused.yaml"), `dataDir: ${dir}\nhttp:\n  port: 0\nudp:\n  host: 127.0.0.1\n  port: 0\nsecurity:\n  tls:\n    certFile: ./missing.pem\n    keyFile: ./missing-key.pem\n`);
    const refused = await steward("run", "--config", "refused.yaml");
    expect(refused.code).toBe(2);
    expect(refused.out).toContain("security.tls.certFile: cannot read");
    const port = await freeTcpPort();
    writeFileSync(join(tmp.path, "after.yaml"), `dataDir: ${dir}\nhttp:\n  port: ${port}\nudp:\n  host: 127.0.0.1\n  port: 0\nlogging:\n  format: json\n`);
    const p = startProcess(process.execPath, [main, "run", "--config", "after.yaml"], { cwd: tmp.path });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true, { timeoutMs: 15_000, what: "steward /health" });
      expect(p.output()).not.toContain("did not stop cleanly");
    } finally {
      await p.stop("SIGTERM", 15_000);
    }
  }, 40_000);
});

describe("run", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`serves HTTP and stops cleanly on ${signal}; a second instance on the same data exits 1`, async () => {
      const port = await freeTcpPort();
      const dir = join(tmp.path, `run-${signal}`);
      const cfg = join(tmp.path, `run-${signal}.yaml`);
      writeFileSync(cfg, `dataDir: ${dir}\nhttp:\n  port: ${port}\nudp:\n  host: 127.0.0.1\n  port: 0\nlogging:\n  format: json\n`);
      const p = startProcess(process.execPath, [main, "run", "--config", cfg], { cwd: tmp.path });
      try {
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true, { timeoutMs: 15_000, what: "steward /health" });
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
    }, 40_000);
  }
});
