// Runs `steward demo` as a child process in an empty folder and checks what a newcomer sees: the dashboard URL,
// a failed task's alert line within seconds, /health, a mail in the inbox, and a clean stop on SIGINT.
import { expect } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { waitFor } from "../../../helpers/wait-for";

/** `basics`: the dashboard, the first alert, /health and a clean stop; `full` also every feature the demo shows. */
export async function checkDemoRun(
  cmd: string,
  args: string[],
  cwd: string,
  onStart: (p: RunningProcess) => void,
  depth: "full" | "basics" = "full",
): Promise<void> {
  const p = startProcess(cmd, args, { cwd, env: { ...process.env, NO_COLOR: "1" } });
  onStart(p);
  const dashboard = await waitFor(
    () =>
      /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/ui)\b/.exec(p.stdout())?.[1] ??
      (p.hasExited() ? Promise.reject(new Error(`demo exited:\n${p.output()}`)) : undefined),
    {
      what: "the dashboard URL",
      timeoutMs: 60_000,
      intervalMs: 100,
    },
  );
  const started = Date.now();
  const alertLine = await waitFor(() => /^.*ALERT MAIL\s+task\.failed\s+→.*$/m.exec(p.stdout())?.[0], {
    what: "a failed-task alert line",
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(alertLine).toContain("qlik-ops@demo.example");
  // The failure itself was narrated before its alert.
  expect(p.stdout()).toMatch(/✖ FAILED\s+\S.*/);

  const base = dashboard.replace(/\/ui$/, "");
  const health = await fetch(`${base}/health`);
  expect(health.status).toBe(200);
  expect(((await health.json()) as { status: string }).status).toBe("ok");

  if (depth === "full") {
    // A failed wait shows what the demo printed, so a run on a loaded CI machine says where the story stopped.
    await checkFeatures(p, base, started).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- the demo's terminal (last 12,000 characters):\n${p.output().slice(-12_000)}`, {
        cause: err,
      });
    });
  }

  expect(existsSync(join(cwd, "data/demo/steward.db"))).toBe(true);
  const code = await p.stop("SIGINT", 15_000);
  expect(p.stdout()).toContain("Demo stopped.");
  expect(code).toBe(0);
}

async function checkFeatures(p: RunningProcess, base: string, started: number): Promise<void> {
  const inbox = await (await fetch(`${base}/ui/inbox`)).text();
  expect(inbox).toContain('data-kind="mail"');
  expect(inbox).toMatch(/task failed/i);
  await checkOutsideScheduler(p, base, started);
  const overview = await (await fetch(`${base}/ui`)).text();
  expect(overview).toContain('href="/ui/inbox"');
  // The simulated site's license and version, read at start, on the License page.
  const license = await waitFor(
    async () => {
      const html = await (await fetch(`${base}/ui/license`)).text();
      return html.includes("allocated") && html.includes("14.") ? html : undefined;
    },
    { what: "the License page with a reading", timeoutMs: 15_000 },
  );
  expect(license).toContain("Professional");
  expect(license).toContain("would be released");

  // The demo's "load script" keeps state in the key-value store after each successful reload.
  const keys = await waitFor(
    async () => {
      const res = await fetch(`${base}/v4/keylist/etl-state`);
      return res.ok ? ((await res.json()) as { keys: Array<{ key: string }> }).keys : undefined;
    },
    { what: "the demo's key-value namespace", timeoutMs: 20_000, intervalMs: 200 },
  );
  expect(keys.some((k) => k.key.endsWith(".lastGoodLoad"))).toBe(true);

  // One Qlik Cloud reload fails next to the site's: polled from the simulated tenant, alerted the same way.
  const cloudLine = await waitFor(() => /^.*✖ FAILED\s+.*\(Qlik Cloud reload\).*$/m.exec(p.stdout())?.[0], {
    what: "the demo's Qlik Cloud failure in the terminal",
    timeoutMs: 20_000,
    intervalMs: 200,
  });
  expect(cloudLine).toContain("via cloud");

  // A data check after the Sales dashboard's successful reload: one passes, one fails on purpose and is mailed.
  const checkLine = await waitFor(() => /^.*ALERT MAIL\s+data\.check_failed\s+→.*$/m.exec(p.stdout())?.[0], {
    what: "the demo's failed data check mailed",
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  expect(checkLine).toContain("qlik-ops@demo.example");
  const checks = await (await fetch(`${base}/ui/data-checks`)).text();
  expect(checks).toContain("currency-is-sek");
  expect(checks).toContain("orders-not-empty");

  // The watchdog: a reload that hangs far past its usual duration, then a start missed while its node was down.
  const longLine = await waitFor(() => /^.*ALERT MAIL\s+task\.running_long\s+→.*$/m.exec(p.stdout())?.[0], {
    what: "the demo's hung reload mailed as task.running_long",
    timeoutMs: 60_000,
    intervalMs: 200,
  });
  expect(longLine).toContain("Reload Customer 360");
  const missedLine = await waitFor(() => /^.*ALERT MAIL\s+task\.missed\s+→.*$/m.exec(p.stdout())?.[0], {
    // Its first due time, or the next one two minutes later when the demo started too slowly for the first.
    what: "the demo's missed start mailed as task.missed",
    timeoutMs: 180_000,
    intervalMs: 200,
  });
  expect(missedLine).toContain("Reload Logistics KPIs");
  // The node goes down ten seconds before the missed start's due time, which is up to two minutes after the demo
  // began: said before the missed start is mailed, not necessarily before the hung reload is.
  expect(p.stdout()).toMatch(/node Reload02 is down/);
  // Both on the Watchdog page with their explanations (the long run may be over by now: then under "back on track").
  const watchdog = await (await fetch(`${base}/ui/watchdog`)).text();
  expect(watchdog).toContain('data-condition="missed"');
  expect(watchdog).toMatch(
    /Reload Logistics KPIs should have started at [^<]*\(trigger &quot;Every 2 minutes \(demo\)&quot;\) and had not started \d+ s later/,
  );
  expect(watchdog).toContain('data-condition="running_long"');
  expect(watchdog).toMatch(/Reload Customer 360 has been running since [^<]*, longer than 15 s; it usually takes \d+ s/);

  // Freshness: the hung reload keeps Customer 360's data from being renewed past its 45 s promise, which the admin's
  // Freshness page and the mail say; the ERP job checks in each minute, the CRM export never does (missed).
  const breachLine = await waitFor(() => /^.*ALERT MAIL\s+app\.freshness_breached\s+→.*$/m.exec(p.stdout())?.[0], {
    what: "the demo's broken freshness promise mailed",
    timeoutMs: 120_000,
    intervalMs: 200,
  });
  expect(breachLine).toContain("qlik-ops@demo.example");
  const freshness = await (await fetch(`${base}/ui/freshness`)).text();
  expect(freshness).toContain("customer-360-live");
  expect(freshness).toContain("Customer 360");
  expect(freshness).toContain('href="/status"');
  const missedJob = await waitFor(() => /^.*ALERT MAIL\s+checkin\.missed\s+→.*$/m.exec(p.stdout())?.[0], {
    what: "the demo's CRM export reported missed",
    timeoutMs: 150_000,
    intervalMs: 200,
  });
  expect(missedJob).toContain("qlik-ops@demo.example");
  const checkins = (await (await fetch(`${base}/v4/watchdog`)).json()) as { checkins?: Array<{ name: string; state?: string }> };
  expect((checkins.checkins ?? []).map((x) => x.name).sort()).toEqual(["crm-export", "erp-extract"]);

  // The doctor on the demo: the simulated QRS and Engine, the capture inbox's mail server and webhook, the UDP port.
  const doctor = (await (await fetch(`${base}/v4/doctor`)).json()) as { ok: boolean; checks: Array<{ check: string; ok: boolean; detail: string }> };
  expect(doctor.checks.filter((l) => !l.ok)).toEqual([]);
  expect(doctor.checks.map((l) => l.check)).toEqual(expect.arrayContaining(["qrs", "engine", "channel ops-mail (email)", "channel ops-webhook (webhook)"]));
  expect(doctor.ok).toBe(true);
}

/** What the docs present most beside tasks, played within the demo's first two minutes (from its dashboard URL). */
const FIRST_TWO_MINUTES = 120_000;

interface CauseRow {
  id: number;
  title: string;
}
interface CauseDetail {
  symptoms: Array<{ task: string | null; kind: string }>;
  affected: { tasks: string[]; text: string };
}

/**
 * A hub user's failed reload of a published app (Engine datagrams from the simulator, through Steward's intake) and a
 * backed-up Scheduler queue with a run Qlik cancelled after waiting: both in the inbox and on their pages in time.
 */
async function checkOutsideScheduler(p: RunningProcess, base: string, started: number): Promise<void> {
  const left = () => Math.max(1_000, started + FIRST_TWO_MINUTES - Date.now());
  const hubLine = await waitFor(() => /^.*ALERT MAIL\s+app\.reload_failed\s+→.*$/m.exec(p.stdout())?.[0], {
    what: "the demo's failed hub reload mailed as app.reload_failed",
    timeoutMs: left(),
    intervalMs: 200,
  });
  expect(hubLine).toContain("qlik-ops@demo.example");
  expect(hubLine).toContain("Reload failed outside the Scheduler: Sales forecast (CORP\\erik on sense2.corp.example)");
  expect(p.stdout()).toMatch(/✖ FAILED\s+Sales forecast\s+reloaded from the hub or the data load editor by CORP\\erik · sense2\.corp\.example/);
  const reloads = await (await fetch(`${base}/ui/reloads`)).text();
  expect(reloads).toContain("Sales forecast");
  expect(reloads).toContain("CORP\\erik");

  const queueLine = await waitFor(() => /^.*ALERT MAIL\s+scheduler\.queue_backlog\s+→.*$/m.exec(p.stdout())?.[0], {
    what: "the demo's backed-up queue mailed as scheduler.queue_backlog",
    timeoutMs: left(),
    intervalMs: 200,
  });
  expect(queueLine).toContain("reload queue backed up on sense4");
  // The run Qlik cancelled after its minute in the queue is the queue cause's symptom, listed on the cause.
  const cause = await waitFor(
    async () => {
      const all = await Promise.all(
        ["open", "closed"].map(async (status) => ((await (await fetch(`${base}/v4/causes?status=${status}`)).json()) as { causes: CauseRow[] }).causes),
      );
      const row = all.flat().find((c) => c.title === "reload queue backed up on sense4");
      if (!row) return undefined;
      const detail = (await (await fetch(`${base}/v4/causes/${row.id}`)).json()) as CauseDetail;
      return detail.symptoms.some((x) => x.kind === "task.cancelled_in_queue" && x.task === "Reload Supplier scorecard") ? detail : undefined;
    },
    { what: "the run cancelled after waiting in the queue, on the queue's cause", timeoutMs: left(), intervalMs: 500 },
  );
  expect(Date.now() - started).toBeLessThan(FIRST_TWO_MINUTES);
  // The node's queue is the cause, never one of its tasks.
  expect(cause.affected.tasks).toContain("Reload Supplier scorecard");
  expect(cause.affected.tasks.filter((t) => /queue/i.test(t))).toEqual([]);
  const causes = await (await fetch(`${base}/ui/causes`)).text();
  expect(causes).toContain("reload queue backed up on sense4");
}
