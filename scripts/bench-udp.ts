// Bench section: UDP intake — the highest paced rate with zero loss and the burst size at which drops start,
// for Steward (counters from /metrics; its own drops are counted there) and for a bare node:dgram receiver.
import { join } from "node:path";
import { createUdpSender, measureStep, type UdpCounts, type UdpSender, type UdpStep } from "./bench-udp-load";
import type { Figure } from "./bench-report";
import { startBaseline, startSteward } from "./bench-targets";
import { measureOverload, measurePaced, measureWorstDatagram, overloadFigures, pacedFigures, type OverloadStep, type PacedStep } from "./bench-udp-overload";
import { measureParseShapes } from "./bench-parse";
import { hostileDatagrams } from "../test/fixtures/hostile-datagrams";

export interface UdpSectionOptions {
  stewardBin: string;
  baselineBin: string;
  workDir: string;
  log: (line: string) => void;
}

const RATES = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000];
const STEP_MS = 1_500;
/** Overload rows: paced at these multiples of the zero-loss rate. */
const OVERLOAD_FACTORS = [2, 5];
/** Worst-case datagrams per second offered (64 KB each: 320 MB/s on loopback). */
const WORST_RATE = 5_000;

/** The hostile 64 KB shape the parser is slowest on, as bytes. */
function worstParseShape(): { name: string; datagram: Uint8Array } {
  const worst = measureParseShapes().reduce((a, b) => (b.stewardMs > a.stewardMs ? b : a));
  const d = hostileDatagrams()[worst.shape]!;
  return { name: worst.shape, datagram: typeof d === "string" ? Buffer.from(d) : d };
}
const BURSTS = [250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];

export interface UdpLadder {
  sustained?: number;
  sustainedNote?: string;
  largestCleanBurst?: number;
  firstLossyBurst?: number;
  steps: Array<{ kind: "rate" | "burst"; target: number } & UdpStep>;
}

/** Sums every sample of the named counters in a Prometheus text exposition (0 for a declared counter without samples). */
export function sumMetric(text: string, names: readonly string[]): number | undefined {
  let total: number | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("# TYPE ")) {
      if (names.includes(line.split(" ")[2] ?? "")) total ??= 0;
      continue;
    }
    if (line.startsWith("#")) continue;
    const name = /^([a-zA-Z_:][\w:]*)/.exec(line)?.[1];
    if (name && names.includes(name)) total = (total ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

/** Steward's intake counters: datagrams received, and those it refused or dropped itself (queue full, oversize, unparsable). */
export const STEWARD_RECEIVED = ["steward_intake_datagrams_received_total"];
export const STEWARD_DROPPED = ["steward_intake_dropped_total", "steward_intake_datagrams_rejected_total"];

/** Steward's accepted and dropped datagrams so far, from its /metrics. */
export async function stewardUdpCounts(url: string): Promise<UdpCounts> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const accepted = sumMetric(text, STEWARD_RECEIVED);
  if (accepted === undefined) throw new Error(`no ${STEWARD_RECEIVED.join("/")} on /metrics`);
  return { accepted: accepted - (sumMetric(text, STEWARD_DROPPED) ?? 0), dropped: sumMetric(text, STEWARD_DROPPED) ?? 0 };
}

/** A zero-loss rate that is only a lower bound: the sender's limit or the top of the ladder was reached. */
export const zeroLossBound = (l: UdpLadder | undefined) => (l?.sustainedNote || l?.sustained === RATES[RATES.length - 1] ? ("≥" as const) : undefined);

/** The paced steps' length and top, for the rows' notes. */
export const UDP_LADDER = { stepMs: STEP_MS, topRate: RATES[RATES.length - 1]! };

/** Two bisection steps between the last clean and the first lossy value narrow the edge. */
function between(clean: number | undefined, lossy: number): number[] {
  const lo = clean ?? 0;
  const q = (lossy - lo) / 4;
  return q < 1 ? [] : [Math.round(lo + 2 * q)];
}

/** Where Steward's losses happened: its own counted drops vs the kernel's receive-buffer overflows. */
function stewardKernelDrops(l: UdpLadder | undefined): string {
  if (!l) return "n/a";
  const kernel = l.steps.reduce((n, s) => n + s.droppedByKernel, 0);
  const own = l.steps.reduce((n, s) => n + s.droppedByTarget, 0);
  return `in this run Steward counted ${own} drops itself and the kernel dropped ${kernel} before Steward read them`;
}

/** The zero-loss rate (paced steps, then bisection), then unless `ratesOnly` the burst size at which drops start. */
export async function ladder(
  sender: UdpSender,
  counts: () => Promise<UdpCounts>,
  name: string,
  log: UdpSectionOptions["log"],
  ratesOnly = false,
): Promise<UdpLadder> {
  const out: UdpLadder = { steps: [] };
  const rateStep = async (rate: number) => {
    const step = await measureStep(sender, counts, (s) => s.paced(rate, STEP_MS));
    out.steps.push({ kind: "rate", target: rate, ...step });
    log(
      `${name}: ${rate}/s for ${STEP_MS / 1000} s → sent ${step.sent}, accepted ${step.accepted}, target drops ${step.droppedByTarget}, kernel drops ${step.droppedByKernel}`,
    );
    await Bun.sleep(300);
    return step;
  };
  const burstStep = async (size: number) => {
    const step = await measureStep(sender, counts, (s) => s.burst(size));
    out.steps.push({ kind: "burst", target: size, ...step });
    log(`${name}: burst of ${size} → accepted ${step.accepted}, target drops ${step.droppedByTarget}, kernel drops ${step.droppedByKernel}`);
    await Bun.sleep(300);
    return step;
  };

  let lossyRate: number | undefined;
  for (const rate of RATES) {
    const step = await rateStep(rate);
    if (step.lost > 0) {
      lossyRate = rate;
      break;
    }
    const achieved = step.sent / step.seconds;
    if (achieved < rate * 0.9) {
      out.sustainedNote = `sender-limited at ${Math.round(achieved)}/s`;
      out.sustained = Math.round(achieved);
      break;
    }
    out.sustained = rate;
  }
  // Narrow the edge: a rate halfway between, then halfway again on the side that decided it.
  for (let round = 0; lossyRate !== undefined && round < 2; round++) {
    const [mid] = between(out.sustained, lossyRate);
    if (mid === undefined) break;
    if ((await rateStep(mid)).lost > 0) lossyRate = mid;
    else out.sustained = mid;
  }

  if (ratesOnly) return out;
  for (const size of BURSTS) {
    if ((await burstStep(size)).lost > 0) {
      out.firstLossyBurst = size;
      break;
    }
    out.largestCleanBurst = size;
  }
  for (let round = 0; out.firstLossyBurst !== undefined && round < 2; round++) {
    const [mid] = between(out.largestCleanBurst, out.firstLossyBurst);
    if (mid === undefined) break;
    if ((await burstStep(mid)).lost > 0) out.firstLossyBurst = mid;
    else out.largestCleanBurst = mid;
  }
  return out;
}

export async function runUdpSection(o: UdpSectionOptions): Promise<{ figures: Figure[]; raw: unknown; bare: UdpLadder }> {
  const baseline = await startBaseline(o.baselineBin, "udp", join(o.workDir, "baseline-udp.log"));
  const sender = await createUdpSender(baseline.udpPort!);
  let bare: UdpLadder;
  try {
    bare = await ladder(
      sender,
      async () => ({ accepted: ((await (await fetch(`${baseline.url}/count`)).json()) as { received: number }).received, dropped: 0 }),
      "bare UDP",
      o.log,
    );
  } finally {
    sender.close();
    await baseline.proc.stop();
  }

  const steward = await startSteward(o.stewardBin, join(o.workDir, "steward-udp"));
  let mine: UdpLadder | undefined;
  let overload: OverloadStep[] = [];
  let paced: PacedStep[] = [];
  let worst: { shape: string; sent: number; handledPerSecond: number; kernelDrops: number } | undefined;
  let missing: string | undefined;
  try {
    const counts = () => stewardUdpCounts(steward.url);
    try {
      await counts();
    } catch (err) {
      missing = `not measured: ${(err as Error).message} (UDP intake not wired into the app yet)`;
    }
    if (!missing) {
      const s = await createUdpSender(steward.udpPort);
      try {
        mine = await ladder(s, counts, "steward UDP", o.log);
        if (mine.sustained) overload = await measureOverload(s, `${steward.url}/metrics`, steward.proc.pid, mine.sustained, OVERLOAD_FACTORS, o.log);
        paced = await measurePaced(s, `${steward.url}/metrics`, steward.proc.pid, o.log);
        const shape = worstParseShape();
        const w = await measureWorstDatagram(steward.udpPort, `${steward.url}/metrics`, shape.datagram, WORST_RATE, 3_000);
        o.log(`steward UDP worst-case datagram (${shape.name}): sent ${w.sent}, handled ${w.handledPerSecond}/s, kernel drops ${w.kernelDrops}`);
        worst = { shape: shape.name, ...w };
      } finally {
        s.close();
      }
    }
  } finally {
    await steward.proc.stop();
  }
  if (missing) o.log(`steward UDP: ${missing}`);

  const rateBound = zeroLossBound;
  const burstBound = (l: UdpLadder | undefined) => (l && !l.firstLossyBurst ? (">" as const) : undefined);
  const burstValue = (l: UdpLadder | undefined) => (l ? (l.firstLossyBurst ?? l.largestCleanBurst) : undefined);
  const figures: Figure[] = [
    {
      metric: "UDP intake: sustained rate with zero loss",
      unit: "datagrams/s",
      steward: mine?.sustained,
      baseline: bare.sustained,
      stewardBound: rateBound(mine),
      baselineBound: rateBound(bare),
      note:
        missing ??
        [
          `paced ${STEP_MS / 1000} s steps up to ${RATES[RATES.length - 1]!.toLocaleString("en-US")}/s, then bisected`,
          mine?.sustainedNote && `Steward: ${mine.sustainedNote}`,
          bare.sustainedNote && `bare: ${bare.sustainedNote}`,
        ]
          .filter(Boolean)
          .join("; "),
    },
    {
      metric: "UDP intake: burst size at which drops start",
      unit: "datagrams",
      steward: burstValue(mine),
      baseline: burstValue(bare),
      stewardBound: burstBound(mine),
      baselineBound: burstBound(bare),
      note:
        missing ??
        `back-to-back sends; a loss is a datagram Steward counted as dropped or the kernel dropped (receive buffer full: ${stewardKernelDrops(mine)})`,
    },
  ];
  if (mine?.sustained) figures.push(...overloadFigures(overload, mine.sustained));
  figures.push(...pacedFigures(paced));
  if (worst) {
    figures.push({
      metric: "UDP intake: worst-case 64 KB datagrams handled per second",
      unit: "datagrams/s",
      steward: worst.handledPerSecond,
      note: `the parser's slowest hostile shape (${worst.shape}) offered at ${WORST_RATE.toLocaleString("en-US")}/s for 3 s (${worst.sent} sent; each one parsed, then refused or recognised as a repeat); the kernel dropped ${worst.kernelDrops}`,
    });
  }
  return { figures, raw: { baseline: bare, steward: mine ?? missing, overload, paced, worst }, bare };
}
