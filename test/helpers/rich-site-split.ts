// The rich site with Steward in a process of its own (scripts/bench-rich-site-peer.ts) and the simulator in this one,
// on one stepped simulation driven from here (test/helpers/linked-clock.ts): what the peer measures is Steward's alone.
// The same run as runRichSite (test/helpers/rich-site-run.ts): the site, Steward's configuration, the faults.
import { join } from "node:path";
import type { ScaleRow } from "../../scripts/bench-rich-site-scale";
import { rpcClient } from "./ipc-rpc";
import { type ClockPeer, type PeerState, runLinked } from "./linked-clock";
import { richCloudTasks, richSiteTasks, richSiteYaml } from "./rich-site";
import { benchFaults } from "./rich-site-bench-faults";
import { DAY, RICH_SITE_START, richStewardYaml, simActor } from "./rich-site-run";
import { startSteppedSite } from "./stepped-site";
import { startHttpReceiver } from "../integration/tell/notify/receivers";

export interface SplitRunOptions {
  dir: string;
  copies: number;
  hours: number;
  /** `rich` or `pause` (test/helpers/rich-site-bench-faults.ts). */
  faults: string;
  look: string;
  storeYaml?: string;
  /**
   * Each simulated day's end: the simulator's process memory (sampled here), the starts its Scheduler really did
   * not make so far (lost while paused or down, skipped while running) and the pages the webhook received so far by
   * kind, beside the row the peer sampled.
   */
  onDay?: (
    day: number,
    simulator: ReturnType<typeof simulatorMemory> & {
      notStarted: { lost: number; skipped: number };
      pages: Record<string, number>;
      /** Per node: the most runs in progress at once that day, against its Max concurrent reloads (a queue needs both equal). */
      peakRunning: Record<string, string>;
      /** The day's calls into Steward's process by kind: how many, and the wall time waited for their answers. */
      calls: Record<string, string>;
      /** The simulator's process CPU in the day (its own share of the day's wall time). */
      cpuS: number;
    },
    steward: ScaleRow["days"][number],
    caught: string[],
  ) => void;
}

const cpuSeconds = (u: NodeJS.CpuUsage) => Math.round((u.user + u.system) / 1e5) / 10;

function simulatorMemory() {
  const rssRawMiB = process.memoryUsage().rss / 2 ** 20;
  Bun.gc(true);
  const mem = process.memoryUsage();
  return { rssRawMiB, rssGcMiB: mem.rss / 2 ** 20, heapMiB: mem.heapUsed / 2 ** 20 };
}

/** The webhook's pages by their kind (`task.missed`, a cause's kind…). */
const pagesByKind = (requests: ReadonlyArray<{ body: string }>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of requests) {
    const kind = String((JSON.parse(r.body) as { kind?: unknown }).kind);
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
};

/** Runs the split site for `hours` simulated hours and answers Steward's row (measured in its own process). */
export async function runRichSiteSplit(o: SplitRunOptions): Promise<ScaleRow & { simulatorRssMiB: number }> {
  const tasks = richSiteTasks(o.copies);
  const site = await startSteppedSite(o.dir, RICH_SITE_START - 10 * 60_000, richSiteYaml(tasks, richCloudTasks()), { cloud: true });
  const { sim, clock } = site;
  const rx = startHttpReceiver();
  const rpc = rpcClient((m) => child.send(m));
  const child = Bun.spawn({
    // BENCH_PEER_ARGS: runtime flags for Steward's process only (e.g. --smol), to compare its memory with and without.
    cmd: [process.execPath, ...(process.env.BENCH_PEER_ARGS?.split(" ").filter(Boolean) ?? []), join(import.meta.dir, "../../scripts/bench-rich-site-peer.ts")],
    stdio: ["ignore", "inherit", "inherit"],
    serialization: "json",
    ipc: (m) => rpc.receive(m),
    onExit: (_p, code) => rpc.fail(`Steward's process exited (${code})`),
  });
  try {
    await rpc.call("init", {
      startMs: clock.now(),
      yaml: richStewardYaml(sim, rx.url, { look: o.look, ...(o.storeYaml ? { storeYaml: o.storeYaml } : {}) }),
      dir: join(o.dir, "steward"),
      copies: o.copies,
      hours: o.hours,
      faults: o.faults,
    });
    const { ids, act } = await simActor(sim);
    let toldPeer = 0;
    for (const f of benchFaults(o.faults, tasks, RICH_SITE_START, o.hours)) {
      clock.setTimeout(() => Promise.all(f.apply.map(act)), f.at - clock.now());
      clock.setTimeout(() => Promise.all(f.revert.map(act)), f.revertAt - clock.now());
      const ack = f.acknowledge;
      if (ack)
        clock.setTimeout(() => {
          // A call into Steward's process from one of the simulator's timers: something new there to settle.
          toldPeer++;
          return rpc.call("acknowledge", { taskId: ids.get(ack.task) });
        }, ack.at - clock.now());
    }
    // Each call into Steward's process and the wall time spent waiting for its answer, by kind, for the day.
    const trips: Record<string, { n: number; waitMs: number }> = {};
    const timed = <T>(op: string, args?: unknown): Promise<T> => {
      const t0 = performance.now();
      const r = (trips[op] ??= { n: 0, waitMs: 0 });
      r.n++;
      return rpc.call<T>(op, args).finally(() => void (r.waitMs += performance.now() - t0));
    };
    const peer: ClockPeer = {
      settle: () => timed<PeerState>("settle"),
      fire: (id, at) => timed("fire", { id, at }),
      advance: (at) => timed("advance", { at }),
    };
    let peerIdle: ((s: PeerState) => boolean) | undefined;
    let sentToPeer: (() => number) | undefined;
    const run = (until: number) => runLinked(clock, peer, until, peerIdle && sentToPeer ? { peerIdle, sentToPeer } : {});

    await run(RICH_SITE_START);
    await rpc.call("start");
    while (!(await rpc.call<boolean>("isStarted"))) await run(clock.now() + 1_000);
    // The Scheduler's datagrams go to Steward's intake; time waits while any is on its way (sent, not yet counted).
    const udp = await rpc.call<{ port: number; received: number }>("udp");
    const key = `127.0.0.1:${udp.port}`;
    sim.settings.udp.targets = [{ host: "127.0.0.1", port: udp.port }];
    const before = udp.received - sim.udp.sentTo(key);
    peerIdle = (s) => sim.udp.sentTo(key) + before <= s.received;
    sentToPeer = () => sim.udp.sentTo(key) + toldPeer;
    sim.requests.clear();
    await rpc.call("begin");
    const days = o.hours / 24;
    for (let day = 1; day < days + 1; day++) {
      const wall = performance.now();
      const cpu = process.cpuUsage();
      await run(RICH_SITE_START + Math.min(day, days) * DAY);
      const dayStart = RICH_SITE_START + (day - 1) * DAY;
      const peakRunning = Object.fromEntries(
        sim.site.nodes.map((n) => {
          const peak = Math.max(0, ...sim.tasks.load.hours(n.id, dayStart, dayStart + DAY, clock.now()).map((h) => h.peakRunning));
          return [n.name, `${peak} of ${n.scheduler?.maxConcurrentEngines ?? 4}`];
        }),
      );
      const calls = Object.fromEntries(Object.entries(trips).map(([op, r]) => [op, `${r.n} in ${Math.round(r.waitMs / 1000)} s`]));
      for (const k of Object.keys(trips)) delete trips[k];
      const cpuS = cpuSeconds(process.cpuUsage(cpu));
      const mine = { ...simulatorMemory(), notStarted: sim.scheduler.notStarted(), pages: pagesByKind(rx.requests), peakRunning, calls, cpuS };
      const theirs = await rpc.call<{ row: ScaleRow["days"][number]; caught: string[] }>("day", { day, wallMs: performance.now() - wall });
      o.onDay?.(day, mine, theirs.row, theirs.caught);
    }
    const row = await rpc.call<ScaleRow>("finish");
    return { ...row, simulatorRssMiB: simulatorMemory().rssGcMiB };
  } finally {
    // Steward's process leaves by itself after its last answer (writing a CPU profile if asked); killed if it lingers.
    await Promise.race([child.exited, Bun.sleep(15_000)]);
    if (child.exitCode === null) child.kill();
    await child.exited;
    await sim.stop();
    await rx.stop();
  }
}
