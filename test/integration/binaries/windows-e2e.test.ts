// Steward's core path on the compiled Windows binary under Wine, against the Linux in-process simulator:
// config check; a failed reload's datagram → QRS enrichment (node:https, client certificate) → webhook and
// e-mail alerts (secrets from PowerShell-written files) and an event-triggered schedule; REST start by tag; the
// file API with Windows paths; KV and schedules across a Ctrl-C restart; the instance lock; /ready, /metrics;
// live config reload over REST; restart after a hard kill. The config file is saved with a BOM and CRLF.
//
// Wine artefacts (not Steward bugs; see DESIGN.md "Compiled binary"), so not exercised or not asserted here:
// - Bun's native TLS clients (fetch to https, WebSocket to wss) fail the handshake under Wine: the Engine (wss)
//   features are Linux-tested only. The QRS client is on node:https and works here.
// - Bun's recursive delete (fs.rm / rmSync / rmdirSync with `recursive: true`) fails under Wine 8 with EFAULT
//   even for an empty folder with no open handle, while unlink, rmSync of a file and rmdirSync of an empty
//   folder work (measured with a probe exe). So `config check` leaves its scratch folder in the Windows temp
//   folder here (its removal error is ignored on purpose), and /v4/filedelete of a folder
//   (files.allowDirectoryDelete) would answer 500; neither is asserted.
// Not an artefact: steward_intake_kernel_drops is -1 on Windows by design (the count comes from Linux /proc).
import { E2E_SCRIPT_ERROR, e2eConfigYaml, e2eSite, prepareE2eConfigFolder, startE2eSimulator } from "../../helpers/e2e-site";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Simulator } from "../../../src/sim";
import type { TaskEvent } from "../../../src/platform/events/types";
import type { RunningProcess } from "../../helpers/child-process";
import { compiledBinaries } from "../../helpers/compiled-binaries";
import { freeTcpPort, freeUdpPort, waitPortReleased } from "../../helpers/free-port";
import { createTempDir, type TempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { DEFAULT_WINE_PREFIX, ensureWinePrefix, installWineShim, persistWineServer, runUnderWine, shutdownWine, startUnderWine } from "../../helpers/wine";
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from "../tell/notify/receivers";

const HOST = "127.0.0.1";
/** The run's prefix (shared with the other Wine tests, which run before or after this file, never during it). */
const PREFIX = DEFAULT_WINE_PREFIX;
const SITE = e2eSite("Windows e2e site", "5d7e0a31-3b0c-4c51-9a55-0c1d2e3f4a");
const IDS = SITE.ids;
const HOOK_TOKEN = "Bearer hook-t0ken-for-e2e";
const SMTP_PASSWORD = "smtp-pa55-for-e2e";
const SCRIPT_ERROR = E2E_SCRIPT_ERROR;

/** `/tmp/x/y` as the Windows program sees it: Wine maps the Unix root to drive Z:. */
const winPath = (p: string) => `Z:${p.replace(/\//g, "\\")}`;

let tmp: TempDir;
let exe: string;
let sim: Simulator;
let hook: HttpReceiver;
let smtp: SmtpReceiver;
let base: string;
let ports: { http: number; udp: number };
let configPath: string;
let steward: RunningProcess | undefined;
/** The execution of the first failed reload: alerted once, never again after restarts. */
let firstFailure = "";
const timings: Record<string, number> = {};

async function startSteward(): Promise<void> {
  const started = performance.now();
  // cwd is not the config folder: dataDir and every relative path must resolve against the config file.
  const proc = startUnderWine(exe, ["run", "--config", winPath(configPath)], { cwd: tmp.path, prefix: PREFIX });
  steward = proc;
  // An early exit (a refused config) ends the wait at once instead of at the deadline.
  const exitedEarly = proc.exited.then((code) => Promise.reject(new Error(`steward.exe exited early (${code})`)));
  await Promise.race([
    exitedEarly,
    waitFor(async () => (await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) })).ok, {
      what: "steward.exe /health",
      timeoutMs: 30_000,
      intervalMs: 100,
    }),
  ]).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : err}\n--- output ---\n${proc.output()}`);
  });
  exitedEarly.catch(() => undefined); // the process ends later, on purpose
  timings[`start${Object.keys(timings).filter((k) => k.startsWith("start")).length + 1}Ms`] = Math.round(performance.now() - started);
}

/** Ctrl-C, as a console user or the service wrapper would; a clean stop exits 0. */
async function stopSteward(): Promise<{ code: number; output: string }> {
  const proc = steward;
  if (!proc) return { code: 0, output: "" };
  steward = undefined;
  const code = await proc.stop("SIGINT", 15_000);
  await portsReleased();
  return { code, output: proc.output() };
}

/** The wineserver frees an ended program's sockets a moment after it ends (see waitPortReleased): a restart waits for it. */
async function portsReleased(): Promise<void> {
  await waitPortReleased(HOST, ports.udp, "udp");
  await waitPortReleased(HOST, ports.http, "tcp");
}

const api = (path: string, init?: RequestInit) => fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
const post = (path: string, body: unknown) => api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

function qrsStarts(taskId?: string) {
  return sim.requests
    .list({ source: "qrs" })
    .filter(
      (r) =>
        r.method === "POST" && /\/start/.test(r.path) && (taskId === undefined || r.path.includes(taskId) || JSON.stringify(r.body ?? "").includes(taskId)),
    );
}

beforeAll(async () => {
  const t0 = performance.now();
  tmp = createTempDir("steward-win-e2e-");
  const [built] = await compiledBinaries({ targets: ["windows-x64"], outDir: join(tmp.path, "bin") });
  exe = built!.path;
  timings.buildMs = Math.round(performance.now() - t0);
  timings.prefixBootMs = (await ensureWinePrefix(PREFIX)).bootMs;
  await installWineShim(exe);
  // One Wine session for the file's commands and restarts (ended by shutdownWine in afterAll).
  persistWineServer(PREFIX);

  hook = startHttpReceiver();
  // AUTH is required: a mail only arrives if the password from the UTF-16 secret file was read correctly.
  smtp = await startSmtpReceiver({ auth: { user: "steward", pass: SMTP_PASSWORD } });
  const [httpPort, udpPort] = [await freeTcpPort(HOST), await freeUdpPort(HOST)];
  ports = { http: httpPort, udp: udpPort };
  base = `http://${HOST}:${httpPort}`;
  sim = await startE2eSimulator(SITE, tmp.path, udpPort);
  configPath = join(tmp.path, "conf", "steward.yaml");
  // The subject override's name is derived from a path with Windows separators.
  prepareE2eConfigFolder(join(tmp.path, "conf"), "[Windows e2e] <%= it.taskName %> failed");
  // Secrets as Windows PowerShell 5.1 writes them: `Set-Content -Encoding UTF8` (UTF-8 with a BOM) and `>`
  // (UTF-16LE with a BOM), both ending in CRLF; referenced with a backslash relative path.
  mkdirSync(join(tmp.path, "conf", "secrets"));
  writeFileSync(join(tmp.path, "conf", "secrets", "hook-token.txt"), `\uFEFF${HOOK_TOKEN}\r\n`, "utf8");
  writeFileSync(join(tmp.path, "conf", "secrets", "smtp-password.txt"), Buffer.from(`\uFEFF${SMTP_PASSWORD}\r\n`, "utf16le"));
  const yaml = e2eConfigYaml({ httpPort, udpPort, sim, certDir: winPath(sim.certDir), engine: false, hookUrl: hook.url, smtpPort: smtp.port, sep: "\\" });
  // Saved the way Notepad's "UTF-8 with BOM" or Set-Content -Encoding UTF8 saves it: BOM and CRLF line ends.
  writeFileSync(configPath, `\uFEFF${yaml.trimStart().replace(/\n/g, "\r\n")}`);
  await startSteward();
  timings.setupMs = Math.round(performance.now() - t0);
}, 120_000);

afterAll(async () => {
  const stopped = await stopSteward().catch(() => undefined);
  await shutdownWine(PREFIX).catch(() => undefined);
  await sim?.stop();
  await hook?.stop();
  await smtp?.stop();
  tmp?.remove();
  console.log(`windows-e2e timings: ${JSON.stringify(timings)}${stopped && stopped.code !== 0 ? ` (last stop exit ${stopped.code})` : ""}`);
}, 60_000);

describe("Windows binary under Wine against the simulator", () => {
  test("config check reads the QMC certificates and renders the templates (override folder included)", async () => {
    const r = await runUnderWine(exe, ["config", "check", winPath(configPath)], { cwd: tmp.path, prefix: PREFIX, timeoutMs: 30_000 });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toContain("valid (data directory");
  });

  test("an event-triggered schedule is stored (it starts the fallback when the reload fails)", async () => {
    const res = await post("/v4/schedules", {
      name: "fallback on failure",
      qlikSenseTaskId: IDS.followUp,
      timezone: "Europe/Stockholm",
      trigger: { on: ["failed"], taskIds: [IDS.failing] },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: "fallback on failure", lastKnownState: "started", timezone: "Europe/Stockholm" });
  });

  test("a failed reload: datagram → QRS enrichment over client-certificate TLS → webhook and e-mail with enriched fields", async () => {
    const t0 = performance.now();
    const run = sim.tasks.start(IDS.failing, { outcome: "fail" });
    if (!run.started) throw new Error(`simulator did not start the task: ${run.reason}`);
    firstFailure = run.executionId;

    const hit = await waitFor(() => hook.requests.find((r) => r.body.includes(run.executionId)), { what: "the webhook alert", timeoutMs: 20_000 });
    timings.failureToWebhookMs = Math.round(performance.now() - t0);
    expect(hit.method).toBe("POST");
    expect(hit.path).toBe("/alerts");
    expect(hit.headers.get("x-steward-event")).toBe("task.failed");
    expect(hit.headers.get("authorization")).toBe(HOOK_TOKEN);
    const body = JSON.parse(hit.body) as Record<string, unknown> & { stewardEvent: TaskEvent };
    expect(body).toMatchObject({
      taskId: IDS.failing,
      taskName: "Reload Sales dashboard",
      appId: IDS.app,
      appName: "Sales dashboard",
      appOwnerName: "Anna Svensson",
      appOwnerUserDirectory: "CORP",
      appOwnerUserId: "anna",
      appOwnerEmail: "anna.svensson@corp.example",
      executionId: run.executionId,
      kind: "task.failed",
    });
    const ev = body.stewardEvent;
    expect(ev.source).toBe("udp");
    expect(ev.complete).toBe(true);
    expect(ev.missing).toEqual([]);
    expect([...ev.task.tags].sort()).toEqual(["Finance", "Nightly"]);
    expect(ev.app?.stream).toBe("Sales");
    expect(ev.app?.owner?.emails).toEqual(["anna.svensson@corp.example"]);
    expect(ev.execution?.status).toBe("FinishedFail");
    expect(ev.scriptLog?.tail.join("\n")).toContain(SCRIPT_ERROR);

    // Every enrichment call went to the simulator's QRS (which refuses a handshake without the client certificate).
    const qrsPaths = sim.requests.list({ source: "qrs" }).map((r) => r.path.toLowerCase());
    expect(qrsPaths.some((p) => p.includes(`/qrs/reloadtask`) || p.includes(`/qrs/task`))).toBe(true);
    expect(qrsPaths.some((p) => p.includes(`/qrs/app`))).toBe(true);

    await waitFor(() => smtp.mails.length >= 2, { what: "two alert mails (static + app owner)", timeoutMs: 20_000 });
    timings.failureToMailsMs = Math.round(performance.now() - t0);
    expect(smtp.mails.map((m) => m.envelopeTo[0]).sort()).toEqual(["anna.svensson@corp.example", "ops@corp.example"]);
    for (const m of smtp.mails) {
      expect(m.mail.subject).toBe("[Windows e2e] Reload Sales dashboard failed");
      expect(m.mail.text).toContain("Anna Svensson");
      expect(m.mail.text).toContain(SCRIPT_ERROR);
      const log = m.mail.attachments[0];
      expect(log).toBeDefined();
      const text = typeof log!.content === "string" ? log!.content : new TextDecoder().decode(log!.content);
      expect(text).toContain(SCRIPT_ERROR);
    }

    // The schedule created above reacts to the same event: the fallback task is started over QRS.
    await waitFor(() => qrsStarts(IDS.followUp).length > 0, { what: "the trigger's QRS start of the fallback task", timeoutMs: 10_000 });
  }, 40_000);

  test("POST /v4/reloadtask/-/start by tag starts the tagged tasks over QRS", async () => {
    const before = sim.requests.list({ source: "qrs" }).length;
    const res = await post("/v4/reloadtask/-/start", { tag: ["Ops"] });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { totalTasksStarted: number; tasksTag: Array<{ taskId: string; tag: string }> };
    expect(answer.totalTasksStarted).toBe(2);
    expect(answer.tasksTag.map((t) => [t.taskId, t.tag]).sort()).toEqual([
      [IDS.opsA, "Ops"],
      [IDS.opsB, "Ops"],
    ]);
    const starts = sim.requests
      .list({ source: "qrs" })
      .slice(before)
      .filter((r) => r.method === "POST" && /\/start/.test(r.path));
    const started = JSON.stringify(starts.map((r) => [r.path, r.body]));
    expect(started).toContain(IDS.opsA);
    expect(started).toContain(IDS.opsB);
    expect(started).not.toContain(IDS.failing);
  });

  test("file API with Windows paths: copy, move (case-insensitive, forward slashes), createdirqvd, delete; traversal refused", async () => {
    const data = join(tmp.path, "conf", "qlikdata");
    writeFileSync(join(data, "landing", "orders.qvd"), "QVD-1");
    writeFileSync(join(data, "landing", "customers.qvd"), "QVD-2");
    const put = (path: string, body: unknown) => api(path, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    const copy = await put("/v4/filecopy", { fromFile: winPath(`${data}/landing/orders.qvd`), toFile: winPath(`${data}/archive/2025/orders.qvd`) });
    expect(copy.status).toBe(201);
    expect(readFileSync(join(data, "archive", "2025", "orders.qvd"), "utf8")).toBe("QVD-1");

    // Windows compares paths case-insensitively and accepts '/' as a separator.
    const upper = winPath(data).toUpperCase().replace(/\\/g, "/");
    const move = await put("/v4/filemove", { fromFile: `${upper}/landing/customers.qvd`, toFile: `${upper}/qvd/customers.qvd` });
    expect(move.status).toBe(201);
    expect(existsSync(join(data, "landing", "customers.qvd"))).toBe(false);
    expect(readFileSync(join(data, "qvd", "customers.qvd"), "utf8")).toBe("QVD-2");

    const qvdDir = await post("/v4/createdirqvd", { directory: "sales\\2025" });
    expect(qvdDir.status).toBe(201);
    expect(existsSync(join(data, "qvd", "sales", "2025"))).toBe(true);

    const traversal = await put("/v4/filecopy", { fromFile: winPath(`${data}/landing/../../steward.yaml`), toFile: winPath(`${data}/archive/stolen.yaml`) });
    expect(traversal.status).toBe(403);
    expect(existsSync(join(data, "archive", "stolen.yaml"))).toBe(false);

    const del = await api("/v4/filedelete", {
      method: "DELETE",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ deleteFile: winPath(`${data}/archive/2025/orders.qvd`) }),
    });
    expect(del.status).toBe(204);
    expect(existsSync(join(data, "archive", "2025", "orders.qvd"))).toBe(false);
  });

  test("KV set/get, then the key and the schedule survive a restart of steward.exe", async () => {
    const set = await post("/v4/keyvalues/win-e2e", { key: "last-load", value: "2025-06-01T02:00:00Z" });
    expect(set.status).toBe(201);
    const get = await api("/v4/keyvalues/win-e2e?key=last-load");
    expect(await get.json()).toEqual({ namespace: "win-e2e", key: "last-load", value: "2025-06-01T02:00:00Z" });

    // The store's exclusive lock is the instance lock: a second steward.exe on the same data directory is refused.
    expect(existsSync(join(tmp.path, "conf", "data", "steward.pid"))).toBe(true);
    const second = await runUnderWine(exe, ["run", "--config", winPath(configPath)], { cwd: tmp.path, prefix: PREFIX, timeoutMs: 30_000 });
    expect(second.code).not.toBe(0);
    expect(`${second.stdout}${second.stderr}`).toContain("is in use by another Steward instance");

    const t0 = performance.now();
    const stopped = await stopSteward();
    timings.stopMs = Math.round(performance.now() - t0);
    expect({ code: stopped.code, output: stopped.code === 0 ? "" : stopped.output }).toEqual({ code: 0, output: "" });
    expect(stopped.output).toContain("stopped cleanly");
    // A clean stop closes the store and removes its pid file.
    expect(existsSync(join(tmp.path, "conf", "data", "steward.pid"))).toBe(false);
    await startSteward();

    const again = await api("/v4/keyvalues/win-e2e?key=last-load");
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ namespace: "win-e2e", key: "last-load", value: "2025-06-01T02:00:00Z" });
    const schedules = (await (await api("/v4/schedules")).json()) as Array<{ name: string; qlikSenseTaskId: string }>;
    expect(schedules.map((s) => [s.name, s.qlikSenseTaskId])).toEqual([["fallback on failure", IDS.followUp]]);
    // The clean stop was recorded in the store: no crash warning on this start.
    expect(steward!.output()).not.toContain("did not stop cleanly");
  }, 60_000);

  test("/ready reports QRS reachable; /metrics shows the intake counters", async () => {
    const ready = await api("/ready");
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as { ready: boolean; components: Record<string, { ok: boolean }> };
    expect(report.ready).toBe(true);
    const qrsKey = Object.keys(report.components).find((k) => k.toLowerCase().includes("qrs"));
    expect(qrsKey).toBeDefined();
    expect(report.components[qrsKey!]!.ok).toBe(true);

    // Counters restart with the process: one more run makes this process's intake counters move.
    await waitFor(() => !sim.tasks.isRunning(IDS.opsA), { what: "Ops refresh A to be idle", timeoutMs: 5_000 });
    const run = sim.tasks.start(IDS.opsA, { outcome: "succeed" });
    if (!run.started) throw new Error(`simulator did not start the task: ${run.reason}`);
    /** Sum of the series of `name` that carry every given label. */
    const metric = async (name: string, labels: Record<string, string> = {}) => {
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      const lines = (await (await api("/metrics")).text()).split("\n");
      return lines
        .filter((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && want.every((w) => l.split(" ")[0]!.includes(w)))
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
    };
    await waitFor(async () => (await metric("steward_intake_events_emitted_total", { source: "udp", kind: "task.succeeded" })) >= 1, {
      what: "the run's datagram as an emitted event on /metrics",
      timeoutMs: 15_000,
    });
    expect(await metric("steward_intake_datagrams_received_total")).toBeGreaterThanOrEqual(1);
    expect(await metric("steward_intake_datagrams_parsed_total", { kind: "scheduler" })).toBeGreaterThanOrEqual(1);
    expect(await metric("steward_intake_events_enriched_total", { complete: "true" })).toBeGreaterThanOrEqual(1);
    expect(await metric("steward_intake_datagrams_rejected_total")).toBe(0);
    // Windows has no /proc/net/udp: kernel drops are reported as unknown (-1), by design.
    expect(await metric("steward_intake_kernel_drops")).toBe(-1);

    // The restarted process reconciled with QRS and did not alert the pre-restart failure again (dedupe in the store).
    await waitFor(async () => (await metric("steward_intake_reconcile_runs_total", { result: "ok" })) >= 1, { what: "a reconcile pass", timeoutMs: 10_000 });
    expect(hook.requests.filter((r) => r.body.includes(firstFailure))).toHaveLength(1);
  }, 30_000);

  test("POST /v4/admin/reload (Windows has no SIGHUP) applies an edited channel; the next failure goes to the new URL", async () => {
    writeFileSync(configPath, readFileSync(configPath, "utf8").replace(`${hook.url}/alerts`, `${hook.url}/alerts-v2`));
    const res = await post("/v4/admin/reload", {});
    expect(res.status).toBe(200);
    const r = (await res.json()) as { changed: string[]; applied: string[]; restartRequired: string[] };
    expect(r.changed).toEqual(["channels"]);
    expect(r.applied).toContain("notify"); // the notifier (channels, routes) is rebuilt live
    expect(r.restartRequired).toEqual([]);

    await waitFor(() => !sim.tasks.isRunning(IDS.failing), { what: "the failing task to be idle", timeoutMs: 5_000 });
    const run = sim.tasks.start(IDS.failing, { outcome: "fail" });
    if (!run.started) throw new Error(`simulator did not start the task: ${run.reason}`);
    const hit = await waitFor(() => hook.requests.find((h) => h.body.includes(run.executionId)), { what: "the alert after reload", timeoutMs: 20_000 });
    expect(hit.path).toBe("/alerts-v2");
  }, 30_000);

  test("after a hard kill the store lock is released: steward.exe starts again, warns about the unclean stop, data intact", async () => {
    const proc = steward!;
    steward = undefined;
    expect(await proc.stop("SIGKILL", 5_000)).not.toBe(0);
    await portsReleased();
    await startSteward();
    await waitFor(() => steward!.output().includes("did not stop cleanly"), { what: "the unclean-stop warning", timeoutMs: 5_000 });
    const again = await api("/v4/keyvalues/win-e2e?key=last-load");
    expect(await again.json()).toEqual({ namespace: "win-e2e", key: "last-load", value: "2025-06-01T02:00:00Z" });
  }, 70_000);
});
