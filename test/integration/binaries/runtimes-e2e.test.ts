// Steward's core path run from source as a child process under each supported runtime — `bun src/main.ts` and
// `deno run <least permissions> src/main.ts` — against the in-process simulator: config check; a failed reload's
// datagram → QRS enrichment (node:https, client certificate) → webhook and e-mail alerts; an app dump over
// the Engine (WebSocket over TLS with the client certificate); REST start by tag;
// the file API; KV and schedules across a SIGTERM restart (graceful stop, exit 0); /ready and /metrics; a
// config reload on SIGHUP.
// The compiled binaries are covered by binaries.test.ts and windows-e2e.test.ts.
import { E2E_SCRIPT_ERROR, e2eConfigYaml, e2eSite, prepareE2eConfigFolder, startE2eSimulator } from "../../helpers/e2e-site";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DENO_RUN_FLAGS } from "../../../src/platform/runtime/deno/permissions";
import type { Simulator } from "../../../src/sim";
import type { TaskEvent } from "../../../src/platform/events/types";
import { startProcess, type RunningProcess } from "../../helpers/child-process";
import { freeTcpPort, freeUdpPort } from "../../helpers/free-port";
import { createTempDir, type TempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../tell/notify/receivers";

const HOST = "127.0.0.1";
const REPO = resolve(import.meta.dir, "../../..");
const MAIN = join(REPO, "src/main.ts");

interface RuntimeUnderTest {
  name: "bun" | "deno";
  /** argv before Steward's own arguments. */
  command: string[];
}

const RUNTIMES: RuntimeUnderTest[] = [
  { name: "bun", command: [join(REPO, "node_modules/.bin/bun"), MAIN] },
  // Exactly the permissions docs/deno.md lists for `steward run` on Deno: a missing one fails this test.
  { name: "deno", command: [join(REPO, "node_modules/.bin/deno"), "run", "--no-prompt", ...DENO_RUN_FLAGS, MAIN] },
];

const SITE = e2eSite("Runtime e2e site", "6e8f1b42-4c1d-4d62-8b66-1d2e3f4a5b");
const IDS = SITE.ids;
const HOOK_TOKEN = "Bearer hook-t0ken-for-runtime-e2e";
const SMTP_PASSWORD = "smtp-pa55-for-runtime-e2e";
const SCRIPT_ERROR = E2E_SCRIPT_ERROR;

for (const rt of RUNTIMES) {
  describe(`Steward from source on ${rt.name} against the simulator`, () => {
    let tmp: TempDir;
    let sim: Simulator;
    let hook: HttpReceiver;
    let smtp: SmtpReceiver;
    let base = "";
    let configPath = "";
    let steward: RunningProcess | undefined;
    let firstFailure = "";

    const start = (args: string[]) =>
      startProcess(rt.command[0]!, [...rt.command.slice(1), ...args], { cwd: tmp.path, env: { ...process.env, NO_COLOR: "1" } });

    async function startSteward(): Promise<void> {
      // cwd is not the config folder: dataDir and every relative path must resolve against the config file.
      const proc = start(["run", "--config", configPath]);
      steward = proc;
      const exitedEarly = proc.exited.then((code) => Promise.reject(new Error(`steward on ${rt.name} exited early (${code})`)));
      await Promise.race([
        exitedEarly,
        waitFor(async () => (await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) })).ok, {
          what: `steward on ${rt.name} /health`,
          timeoutMs: 45_000,
          intervalMs: 100,
        }),
      ]).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : err}\n--- output ---\n${proc.output()}`);
      });
      exitedEarly.catch(() => undefined); // the process ends later, on purpose
    }

    /** SIGTERM, as systemd would send it; a clean stop exits 0. */
    async function stopSteward(): Promise<{ code: number; output: string }> {
      const proc = steward;
      if (!proc) return { code: 0, output: "" };
      steward = undefined;
      const code = await proc.stop("SIGTERM", 15_000);
      return { code, output: proc.output() };
    }

    const api = (path: string, init?: RequestInit) => fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
    const post = (path: string, body: unknown) => api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const put = (path: string, body: unknown) => api(path, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const qrsStarts = (taskId: string) =>
      sim.requests
        .list({ source: "qrs" })
        .filter((r) => r.method === "POST" && /\/start/.test(r.path) && (r.path.includes(taskId) || JSON.stringify(r.body ?? "").includes(taskId)));

    beforeAll(async () => {
      tmp = createTempDir(`steward-${rt.name}-e2e-`);
      hook = startHttpReceiver();
      smtp = await startSmtpReceiver({ auth: { user: "steward", pass: SMTP_PASSWORD } });
      const [httpPort, udpPort] = [await freeTcpPort(HOST), await freeUdpPort(HOST)];
      base = `http://${HOST}:${httpPort}`;
      sim = await startE2eSimulator(SITE, tmp.path, udpPort);
      configPath = join(tmp.path, "conf", "steward.yaml");
      prepareE2eConfigFolder(join(tmp.path, "conf"), `[${rt.name} e2e] <%= it.taskName %> failed`);
      mkdirSync(join(tmp.path, "conf", "secrets"));
      writeFileSync(join(tmp.path, "conf", "secrets", "hook-token.txt"), `${HOOK_TOKEN}\n`);
      writeFileSync(join(tmp.path, "conf", "secrets", "smtp-password.txt"), `${SMTP_PASSWORD}\n`);
      writeFileSync(
        configPath,
        e2eConfigYaml({ httpPort, udpPort, sim, certDir: sim.certDir, engine: true, hookUrl: hook.url, smtpPort: smtp.port, sep: "/" }),
      );
      await startSteward();
    }, 120_000);

    afterAll(async () => {
      await stopSteward().catch(() => undefined);
      await sim?.stop();
      await hook?.stop();
      await smtp?.stop();
      tmp?.remove();
    }, 60_000);

    test("config check reads the QMC certificates and renders the templates (override folder included)", async () => {
      const proc = start(["config", "check", configPath]);
      const code = await Promise.race([proc.exited, new Promise<number>((r) => setTimeout(() => r(-2), 45_000))]);
      if (code === -2) await proc.stop("SIGKILL");
      expect({ code, stderr: proc.stderr() }).toEqual({ code: 0, stderr: "" });
      expect(proc.stdout()).toContain("valid (data directory");
    }, 60_000);

    test("an event-triggered schedule is stored", async () => {
      const res = await post("/v4/schedules", {
        name: "fallback on failure",
        qlikSenseTaskId: IDS.followUp,
        timezone: "Europe/Stockholm",
        trigger: { on: ["failed"], taskIds: [IDS.failing] },
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ name: "fallback on failure", lastKnownState: "started" });
    });

    test("a failed reload: datagram → QRS enrichment over client-certificate TLS → webhook and e-mail with enriched fields", async () => {
      const run = sim.tasks.start(IDS.failing, { outcome: "fail" });
      if (!run.started) throw new Error(`simulator did not start the task: ${run.reason}`);
      firstFailure = run.executionId;

      const hit = await waitFor(() => hook.requests.find((r) => r.body.includes(run.executionId)), { what: "the webhook alert", timeoutMs: 20_000 });
      expect(hit.path).toBe("/alerts");
      expect(hit.headers.get("x-steward-event")).toBe("task.failed");
      expect(hit.headers.get("authorization")).toBe(HOOK_TOKEN);
      const body = JSON.parse(hit.body) as Record<string, unknown> & { stewardEvent: TaskEvent };
      expect(body).toMatchObject({
        taskId: IDS.failing,
        taskName: "Reload Sales dashboard",
        appName: "Sales dashboard",
        appOwnerEmail: "anna.svensson@corp.example",
        executionId: run.executionId,
        kind: "task.failed",
      });
      const ev = body.stewardEvent;
      expect({ source: ev.source, complete: ev.complete, missing: ev.missing }).toEqual({ source: "udp", complete: true, missing: [] });
      expect([...ev.task.tags].sort()).toEqual(["Finance", "Nightly"]);
      expect(ev.execution?.status).toBe("FinishedFail");
      expect(ev.scriptLog?.tail.join("\n")).toContain(SCRIPT_ERROR);

      await waitFor(() => smtp.mails.length >= 2, { what: "two alert mails (static + app owner)", timeoutMs: 20_000 });
      expect(smtp.mails.map((m) => m.envelopeTo[0]).sort()).toEqual(["anna.svensson@corp.example", "ops@corp.example"]);
      for (const m of smtp.mails) {
        expect(m.mail.subject).toBe(`[${rt.name} e2e] Reload Sales dashboard failed`);
        expect(m.mail.text).toContain(SCRIPT_ERROR);
        expect(m.mail.attachments).toHaveLength(1);
      }
      // The stored schedule reacts to the same event: the fallback task is started over QRS.
      await waitFor(() => qrsStarts(IDS.followUp).length > 0, { what: "the trigger's QRS start of the fallback task", timeoutMs: 10_000 });
    }, 40_000);

    test("app dump over the Engine: WebSocket over TLS with the client certificate and X-Qlik-User", async () => {
      const res = await api(`/v4/app/${IDS.app}/dump`);
      const body = (await res.json()) as { appId?: string; loadScript?: string; properties?: { qTitle?: string } };
      expect({ status: res.status, appId: body.appId, title: body.properties?.qTitle }).toEqual({ status: 200, appId: IDS.app, title: "Sales dashboard" });
      expect(body.loadScript).toBe(sim.repo.findApp(IDS.app)!.script);
      const opened = sim.requests.list({ source: "engine" }).filter((r) => r.status === 101);
      expect(opened.length).toBeGreaterThan(0);
      expect(opened.at(-1)!.headers.user).toBe("UserDirectory=INTERNAL; UserId=sa_repository");
    });

    test("the dashboard (server-rendered JSX) shows the failed task", async () => {
      const res = await api("/ui", { headers: { accept: "text/html" } });
      const html = await res.text();
      expect({ status: res.status, type: res.headers.get("content-type") }).toEqual({ status: 200, type: "text/html; charset=UTF-8" });
      expect(html).toStartWith(`<!doctype html><html lang="en" data-site-tz="`);
      expect(html).toContain("<title>Overview · Steward</title>");
      expect(html).toContain("Reload Sales dashboard");
    });

    test("POST /v4/reloadtask/-/start by tag starts the tagged tasks over QRS", async () => {
      const res = await post("/v4/reloadtask/-/start", { tag: ["Ops"] });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { totalTasksStarted: number; tasksTag: Array<{ taskId: string; tag: string }> };
      expect(answer.totalTasksStarted).toBe(2);
      expect(answer.tasksTag.map((t) => t.taskId).sort()).toEqual([IDS.opsA, IDS.opsB]);
      expect(qrsStarts(IDS.opsA).length).toBeGreaterThan(0);
      expect(qrsStarts(IDS.opsB).length).toBeGreaterThan(0);
    });

    test("file API: copy, move, createdirqvd, delete; traversal refused", async () => {
      const data = join(tmp.path, "conf", "qlikdata");
      writeFileSync(join(data, "landing", "orders.qvd"), "QVD-1");
      writeFileSync(join(data, "landing", "customers.qvd"), "QVD-2");
      expect((await put("/v4/filecopy", { fromFile: `${data}/landing/orders.qvd`, toFile: `${data}/archive/2025/orders.qvd` })).status).toBe(201);
      expect(readFileSync(join(data, "archive", "2025", "orders.qvd"), "utf8")).toBe("QVD-1");
      expect((await put("/v4/filemove", { fromFile: `${data}/landing/customers.qvd`, toFile: `${data}/qvd/customers.qvd` })).status).toBe(201);
      expect(existsSync(join(data, "landing", "customers.qvd"))).toBe(false);
      expect(readFileSync(join(data, "qvd", "customers.qvd"), "utf8")).toBe("QVD-2");
      expect((await post("/v4/createdirqvd", { directory: "sales/2025" })).status).toBe(201);
      expect(existsSync(join(data, "qvd", "sales", "2025"))).toBe(true);
      const traversal = await put("/v4/filecopy", { fromFile: `${data}/landing/../../steward.yaml`, toFile: `${data}/archive/stolen.yaml` });
      expect(traversal.status).toBe(403);
      expect(existsSync(join(data, "archive", "stolen.yaml"))).toBe(false);
      const del = await api("/v4/filedelete", {
        method: "DELETE",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ deleteFile: `${data}/archive/2025/orders.qvd` }),
      });
      expect(del.status).toBe(204);
      expect(existsSync(join(data, "archive", "2025", "orders.qvd"))).toBe(false);
    });

    test("KV set/get; SIGTERM stops gracefully (exit 0); the key and the schedule survive the restart", async () => {
      expect((await post("/v4/keyvalues/rt-e2e", { key: "last-load", value: "2025-06-01T02:00:00Z" })).status).toBe(201);
      const get = await api("/v4/keyvalues/rt-e2e?key=last-load");
      expect(await get.json()).toEqual({ namespace: "rt-e2e", key: "last-load", value: "2025-06-01T02:00:00Z" });

      const stopped = await stopSteward();
      expect({ code: stopped.code, output: stopped.code === 0 ? "" : stopped.output }).toEqual({ code: 0, output: "" });
      expect(stopped.output).toContain("stopped cleanly");
      expect(existsSync(join(tmp.path, "conf", "data", "steward.pid"))).toBe(false);
      await startSteward();

      const again = await api("/v4/keyvalues/rt-e2e?key=last-load");
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ namespace: "rt-e2e", key: "last-load", value: "2025-06-01T02:00:00Z" });
      const schedules = (await (await api("/v4/schedules")).json()) as Array<{ name: string; qlikSenseTaskId: string }>;
      expect(schedules.map((s) => [s.name, s.qlikSenseTaskId])).toEqual([["fallback on failure", IDS.followUp]]);
      expect(steward!.output()).not.toContain("did not stop cleanly");
    }, 90_000);

    test("/ready reports QRS reachable; /metrics shows the intake counters; the pre-restart failure is not alerted again", async () => {
      const ready = await api("/ready");
      expect(ready.status).toBe(200);
      const report = (await ready.json()) as { ready: boolean; components: Record<string, { ok: boolean }> };
      expect(report.ready).toBe(true);
      const qrsKey = Object.keys(report.components).find((k) => k.toLowerCase().includes("qrs"));
      expect(report.components[qrsKey!]!.ok).toBe(true);

      await waitFor(() => !sim.tasks.isRunning(IDS.opsA), { what: "Ops refresh A to be idle", timeoutMs: 5_000 });
      const run = sim.tasks.start(IDS.opsA, { outcome: "succeed" });
      if (!run.started) throw new Error(`simulator did not start the task: ${run.reason}`);
      const metric = async (name: string, labels: Record<string, string> = {}) => {
        const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
        const lines = (await (await api("/metrics")).text()).split("\n");
        return lines
          .filter((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && want.every((w) => l.split(" ")[0]!.includes(w)))
          .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
      };
      await waitFor(async () => (await metric("steward_intake_events_emitted_total", { source: "udp", kind: "task.succeeded" })) >= 1, {
        what: "the run on /metrics",
        timeoutMs: 15_000,
      });
      expect(await metric("steward_intake_datagrams_received_total")).toBeGreaterThanOrEqual(1);
      expect(await metric("steward_intake_events_enriched_total", { complete: "true" })).toBeGreaterThanOrEqual(1);
      expect(await metric("steward_intake_datagrams_rejected_total")).toBe(0);
      await waitFor(async () => (await metric("steward_intake_reconcile_runs_total", { result: "ok" })) >= 1, { what: "a reconcile pass", timeoutMs: 10_000 });
      expect(hook.requests.filter((r) => r.body.includes(firstFailure))).toHaveLength(1);
    }, 30_000);

    test("SIGHUP reloads the config: an edited channel URL takes the next alert", async () => {
      writeFileSync(configPath, readFileSync(configPath, "utf8").replace(`${hook.url}/alerts`, `${hook.url}/alerts-v2`));
      process.kill(steward!.pid, "SIGHUP");
      await waitFor(() => steward!.output().includes('"trigger":"SIGHUP"'), { what: "the SIGHUP reload", timeoutMs: 10_000 });
      await waitFor(() => !sim.tasks.isRunning(IDS.failing), { what: "the failing task to be idle", timeoutMs: 5_000 });
      const run = sim.tasks.start(IDS.failing, { outcome: "fail" });
      if (!run.started) throw new Error(`simulator did not start the task: ${run.reason}`);
      const hit = await waitFor(() => hook.requests.find((h) => h.body.includes(run.executionId)), { what: "the alert after the reload", timeoutMs: 20_000 });
      expect(hit.path).toBe("/alerts-v2");
    }, 40_000);
  });
}
