// `steward demo --cluster` end to end, as a newcomer runs it: a private PostgreSQL, two Stewards that both hear
// every datagram, each failed run alerted once in the capture inbox, /ready listing both members; SIGUSR2 stops
// the leader and the other takes its duties, SIGUSR2 again brings it back as a follower; Ctrl-C stops everything
// and removes PostgreSQL's folder.
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { startProcess, type RunningProcess } from "../../../helpers/child-process";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const MAIN = resolve(import.meta.dir, "../../../../src/main.ts");
const dir = createTempDir("steward-demo-cluster-");
let proc: RunningProcess | undefined;

afterAll(async () => {
  await proc?.stop("SIGINT", 15_000);
  dir.remove();
});

interface Ready {
  ready: boolean;
  components: Record<string, { ok: boolean; detail: string }>;
}

const ready = async (base: string) => (await (await fetch(`${base}/ready`)).json()) as Ready;

/** Delivery ids of the inbox rows, in page order (newest first). */
async function deliveries(base: string): Promise<string[]> {
  const html = await (await fetch(`${base}/ui/inbox`)).text();
  return [...html.matchAll(/<tr data-item="\d+" data-kind="(?:mail|webhook)" data-delivery="([^"]+)"/g)].map((m) => m[1]!);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("two Stewards on a private PostgreSQL: both are members, each failed run is alerted once, the leader hands over", async () => {
  const p = startProcess(process.execPath, [MAIN, "demo", "--cluster"], { cwd: dir.path, env: { ...process.env, NO_COLOR: "1" } });
  proc = p;
  const banner = await waitFor(
    () => {
      const out = p.stdout();
      const a = /node-a\s+dashboard (http:\/\/127\.0\.0\.1:\d+)\/ui/.exec(out)?.[1];
      const b = /node-b\s+dashboard (http:\/\/127\.0\.0\.1:\d+)\/ui/.exec(out)?.[1];
      const pg = /PostgreSQL\s+127\.0\.0\.1:\d+ \(pid (\d+), data (\S+), removed at exit\)/.exec(out);
      if (a && b && pg) return { a, b, pgPid: Number(pg[1]), pgDir: pg[2]! };
      if (p.hasExited()) throw new Error(`demo exited:\n${p.output()}`);
      return undefined;
    },
    { what: "the cluster banner", timeoutMs: 60_000, intervalMs: 100 },
  );
  expect(banner.a).not.toBe(banner.b);
  expect(p.stdout()).toContain(`kill -USR2 ${p.pid}`);
  expect(existsSync(join(banner.pgDir, "data", "PG_VERSION"))).toBe(true);

  // Both Stewards are members of one cluster, whichever is asked.
  for (const base of [banner.a, banner.b]) {
    const r = await ready(base);
    expect(r.ready).toBe(true);
    expect(r.components["shared-store"]?.ok).toBe(true);
    expect(r.components.cluster?.detail).toMatch(/^2 members — node-a.*; node-b/);
  }
  expect(p.stdout()).toMatch(/⚑ CLUSTER\s+members: node-a, node-b · node-a leads scheduler, reconcile, distribute, site-monitor/);

  // The opening's failed runs reach both Stewards; each is alerted once per recipient (one mail to qlik-ops).
  // A run's failure (its execution id, then :failed), not the demo's failed data check, which is mailed to ops too.
  const opsFailures = (ids: string[]) => ids.filter((id) => /^[0-9a-f-]+:failed\|ops-mail\|qlik-ops@demo\.example$/.test(id));
  const seen = await waitFor(
    async () => {
      const ids = await deliveries(banner.a);
      return opsFailures(ids).length >= 3 ? ids : undefined;
    },
    { what: "three failed runs alerted", timeoutMs: 45_000, intervalMs: 250 },
  );
  expect(new Set(seen).size).toBe(seen.length);
  const first = opsFailures(seen).at(-1)!;
  const executionId = first.split(":")[0]!;
  // The first failure (the oldest row) was mailed once to ops and once to each app owner, whichever Steward claimed it.
  const forRun = seen.filter((id) => id.startsWith(`${executionId}:failed|ops-mail|`));
  expect(forRun.filter((id) => id.endsWith("|qlik-ops@demo.example"))).toEqual([first]);
  expect(new Set(forRun).size).toBe(forRun.length);
  expect(await deliveries(banner.b)).toEqual(expect.arrayContaining(seen));
  expect(p.stdout()).not.toContain("REPEAT");
  // Each failure was narrated once, tagged with the Steward that claimed it.
  expect(p.stdout().match(/✖ FAILED\s+.*\[node-[ab]\]/g)?.length).toBeGreaterThanOrEqual(3);

  // SIGUSR2 stops the leader (node-a, started first); node-b takes every duty over.
  process.kill(p.pid, "SIGUSR2");
  await waitFor(
    () => /stopping node-a, the leader/.test(p.stdout()) && /members: node-b · node-b leads scheduler, reconcile, distribute, site-monitor/.test(p.stdout()),
    {
      what: "node-b to take over",
      timeoutMs: 30_000,
      intervalMs: 100,
    },
  );
  expect((await ready(banner.b)).components.cluster?.detail).toMatch(/^1 member — node-b \(this one\).*scheduler: node-b/);
  await expect(fetch(`${banner.a}/ready`)).rejects.toThrow();

  // SIGUSR2 again starts node-a again; it joins as a member and node-b keeps the duties it holds.
  process.kill(p.pid, "SIGUSR2");
  const rejoined = await waitFor(
    async () => {
      const detail = (await ready(banner.b)).components.cluster?.detail ?? "";
      return /starting node-a again/.test(p.stdout()) && detail.startsWith("2 members") ? detail : undefined;
    },
    { what: "node-a to rejoin", timeoutMs: 30_000, intervalMs: 200 },
  );
  expect(rejoined).toMatch(/Leaders — scheduler: node-b, reconcile: node-b, distribute: node-b, site-monitor: node-b/);
  // node-a joins the cluster (its heartbeat row) before its HTTP listener answers: wait for that, too.
  const aDetail = await waitFor(async () => (await ready(banner.a)).components.cluster?.detail, {
    what: "node-a's /ready after its restart",
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  expect(aDetail).toMatch(/node-a \(this one\)/);

  // Ctrl-C: everything stops, PostgreSQL's folder is gone, its server too.
  const code = await p.stop("SIGINT", 20_000);
  expect(p.stdout()).toContain("Demo stopped.");
  expect(code).toBe(0);
  expect(existsSync(banner.pgDir)).toBe(false);
  expect(alive(banner.pgPid)).toBe(false);
  expect(existsSync(join(dir.path, "data/demo/node-a/steward.db"))).toBe(true);
  expect(existsSync(join(dir.path, "data/demo/node-b/steward.db"))).toBe(true);
}, 180_000);
