// CPU per GET /v4/butlerping of several running targets, measured in turns (issue 89): every target is started
// before the first measurement and stays up, each gets a 2 s warm-up, then short wrk runs (-t1 -c20, 3 s) go to one
// target after the other, the order rotated from turn to turn. A target's runs and the floor's are seconds apart, so
// they share the machine's moment; a round that measured the floor, then Steward 20 s later (each started afresh,
// the floor always first) differed by 0.3× of the floor from the next round on this shared 2-core machine.
// Nothing is pinned to a core: with the target on one core and wrk on the other, a ping cost 1.7× as much (every
// request and answer crosses cores) and the ratio moved as much; both on one core were no steadier than unpinned.
import { median } from "./bench-proc";
import { wrk, type WrkRun } from "./bench-floor-rows";

export interface PingTarget {
  name: string;
  /** Base URL; the ping is `${url}/v4/butlerping`. */
  url: string;
  pid: number;
}

export interface PingTurnsOptions {
  /** Turns: each target measured once per turn. */
  turns?: number;
  /** Seconds of each wrk run. */
  seconds?: number;
  /** Seconds of the warm-up run each target gets first (not counted). */
  warmupSeconds?: number;
  /** One run against a target (wrk -t1 -c20 on its ping); tests pass their own. */
  run?: (target: PingTarget, seconds: number) => Promise<WrkRun>;
  /** Called after each turn with its runs (for a progress line). */
  onTurn?: (turn: number, runs: Record<string, WrkRun>) => void;
}

/** One wrk run per target per turn, in a rotated order; the runs by target name, in turn order. */
export async function pingTurns(targets: PingTarget[], opts: PingTurnsOptions = {}): Promise<Record<string, WrkRun[]>> {
  const { turns = 3, seconds = 3, warmupSeconds = 2 } = opts;
  const run = opts.run ?? ((t: PingTarget, s: number) => wrk(["-t1", "-c20", `-d${s}s`], `${t.url}/v4/butlerping`, t.pid));
  const out: Record<string, WrkRun[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
  // The JIT's first compiles of the request path are not a ping's cost.
  for (const t of targets) await run(t, warmupSeconds);
  for (let turn = 0; turn < turns; turn++) {
    const order = targets.map((_, i) => targets[(i + turn) % targets.length]!);
    const runs: Record<string, WrkRun> = {};
    for (const t of order) {
      runs[t.name] = await run(t, seconds);
      out[t.name]!.push(runs[t.name]!);
    }
    opts.onTurn?.(turn, runs);
  }
  return out;
}

export interface PingRatio {
  /** Median CPU per ping of each side over all its runs, µs. */
  medianUs: number;
  refMedianUs: number;
  /** medianUs / refMedianUs. */
  ofMedians: number;
  /** The ratio of each turn (a run and the reference's run of the same turn), sorted. */
  perTurn: number[];
}

/**
 * A target's CPU per ping against a reference's (the floor, or another build), from runs measured in the same turns;
 * `by` picks the measure (the process's CPU, or its main thread's user time).
 */
export function pingRatio(runs: WrkRun[], ref: WrkRun[], by: (r: WrkRun) => number = (r) => r.cpuUsPerRequest): PingRatio {
  const us = runs.map(by);
  const refUs = ref.map(by);
  const [medianUs, refMedianUs] = [median(us), median(refUs)];
  const perTurn = us.map((u, i) => u / refUs[i]!).sort((a, b) => a - b);
  return { medianUs, refMedianUs, ofMedians: medianUs / refMedianUs, perTurn };
}

/** "1.21× (medians 10.2 / 8.4 µs; per turn 1.12–1.35, median 1.22, n 9)" */
export function formatRatio(r: PingRatio): string {
  const t = r.perTurn;
  return `${r.ofMedians.toFixed(2)}× (medians ${r.medianUs.toFixed(2)} / ${r.refMedianUs.toFixed(2)} µs; per turn ${t[0]!.toFixed(2)}–${t.at(-1)!.toFixed(2)}, median ${median(t).toFixed(2)}, n ${t.length})`;
}
