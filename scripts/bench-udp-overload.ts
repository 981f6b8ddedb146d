// Bench rows: the UDP intake under overload — paced sends at 2× and 5× the highest zero-loss rate — reporting how
// many task events Steward processed per second while overloaded (it should hold at its capacity, not collapse)
// and whether every datagram it did not process was counted: by Steward itself (dropped/shed, rejected,
// deduplicated) or by the kernel (receive buffer full).
import type { Figure } from "./bench-report";
import { cpuMs } from "./bench-proc";
import { kernelUdpDrops, type UdpSender } from "./bench-udp-load";

export interface IntakeCounters {
  received: number;
  emitted: number;
  /** Dropped by Steward (queue full, shed, stopping) or refused (rejected). */
  dropped: number;
  deduplicated: number;
}

export interface OverloadStep {
  factor: number;
  targetRate: number;
  sent: number;
  sendSeconds: number;
  /** Task events emitted while the sender was sending, per second. */
  processedPerSecond: number;
  /** Emitted from the start of the step until the counters settled. */
  processedTotal: number;
  droppedBySteward: number;
  droppedByKernel: number;
  deduplicated: number;
  /** Sent but neither processed nor counted anywhere: should be 0. */
  unaccounted: number;
  /** Share of one core Steward used while the sender was sending (on a shared machine it gets what is left). */
  stewardCores: number;
  /** Steward's CPU time per event processed while sending: whether its efficiency held under overload. */
  cpuUsPerEvent: number;
}

const STEP_MS = 3_000;

/** Sums every sample of the named series in a Prometheus text exposition. */
function sum(text: string, name: string): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(name) && (line[name.length] === " " || line[name.length] === "{")) total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

export async function readIntakeCounters(metricsUrl: string): Promise<IntakeCounters> {
  const text = await (await fetch(metricsUrl)).text();
  return {
    received: sum(text, "steward_intake_datagrams_received_total"),
    emitted: sum(text, "steward_intake_events_emitted_total"),
    dropped: sum(text, "steward_intake_dropped_total") + sum(text, "steward_intake_datagrams_rejected_total"),
    deduplicated: sum(text, "steward_intake_deduplicated_total"),
  };
}

async function settle(read: () => Promise<IntakeCounters>, sent: number, before: IntakeCounters, kernelBefore: number): Promise<IntakeCounters> {
  let last = await read();
  let stableSince = performance.now();
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const accounted =
      last.emitted - before.emitted + (last.dropped - before.dropped) + (last.deduplicated - before.deduplicated) + (kernelUdpDrops() - kernelBefore);
    if (accounted >= sent) break;
    await Bun.sleep(100);
    const now = await read();
    if (now.emitted !== last.emitted || now.dropped !== last.dropped || now.received !== last.received) stableSince = performance.now();
    else if (performance.now() - stableSince > 1_000) break;
    last = now;
  }
  return last;
}

/** One paced step against Steward: sends at `targetRate` for `ms`, then waits (bounded) until its counters settle. */
async function measureRateStep(
  sender: UdpSender,
  read: () => Promise<IntakeCounters>,
  stewardPid: number,
  targetRate: number,
  ms: number,
): Promise<Omit<OverloadStep, "factor">> {
  const before = await read();
  const kernelBefore = kernelUdpDrops();
  const cpuBefore = cpuMs(stewardPid);
  const t0 = performance.now();
  const sent = await sender.paced(targetRate, ms);
  const sendSeconds = (performance.now() - t0) / 1000;
  const cpuUsed = cpuMs(stewardPid) - cpuBefore;
  const atEnd = await read();
  const after = await settle(read, sent, before, kernelBefore);
  const droppedByKernel = kernelUdpDrops() - kernelBefore;
  const step = {
    targetRate,
    sent,
    sendSeconds,
    processedPerSecond: Math.round((atEnd.emitted - before.emitted) / sendSeconds),
    processedTotal: after.emitted - before.emitted,
    droppedBySteward: after.dropped - before.dropped,
    droppedByKernel,
    deduplicated: after.deduplicated - before.deduplicated,
    unaccounted: 0,
    stewardCores: cpuUsed / 1000 / sendSeconds,
    cpuUsPerEvent: Math.round((cpuUsed * 1000) / Math.max(1, atEnd.emitted - before.emitted)),
  };
  step.unaccounted = Math.max(0, sent - step.processedTotal - step.droppedBySteward - step.droppedByKernel - step.deduplicated);
  return step;
}

export async function measureOverload(
  sender: UdpSender,
  metricsUrl: string,
  stewardPid: number,
  zeroLossRate: number,
  factors: number[],
  log: (line: string) => void,
): Promise<OverloadStep[]> {
  const read = () => readIntakeCounters(metricsUrl);
  const steps: OverloadStep[] = [];
  for (const factor of factors) {
    const targetRate = Math.round(zeroLossRate * factor);
    const step: OverloadStep = { factor, ...(await measureRateStep(sender, read, stewardPid, targetRate, STEP_MS)) };
    steps.push(step);
    log(
      `steward UDP overload ${factor}× (${targetRate}/s): sent ${step.sent} in ${step.sendSeconds.toFixed(1)} s, processed ${step.processedPerSecond}/s while sending ` +
        `(${step.processedTotal} in all), dropped by Steward ${step.droppedBySteward}, by the kernel ${step.droppedByKernel}, unaccounted ${step.unaccounted}; ` +
        `Steward used ${step.stewardCores.toFixed(2)} of a core, ${step.cpuUsPerEvent} µs CPU per event`,
    );
    await Bun.sleep(500);
  }
  return steps;
}

/** The paced-sender rows: fixed offered rates, comparable run to run (and with Butler's figures in issue 33). */
export const PACED_RATES = [5_000, 10_000, 20_000, 50_000];
export const PACED_MS = 5_000;

export type PacedStep = Omit<OverloadStep, "factor">;

/** Offers each of PACED_RATES for PACED_MS from one paced sender; each step starts once the last has settled. */
export async function measurePaced(sender: UdpSender, metricsUrl: string, stewardPid: number, log: (line: string) => void): Promise<PacedStep[]> {
  const read = () => readIntakeCounters(metricsUrl);
  const steps: PacedStep[] = [];
  for (const rate of PACED_RATES) {
    const step = await measureRateStep(sender, read, stewardPid, rate, PACED_MS);
    steps.push(step);
    log(
      `steward UDP paced ${rate}/s for ${PACED_MS / 1000} s: sent ${step.sent}, processed ${step.processedTotal} (${((100 * step.processedTotal) / Math.max(1, step.sent)).toFixed(1)}%), ` +
        `dropped by Steward ${step.droppedBySteward}, by the kernel ${step.droppedByKernel}, unaccounted ${step.unaccounted}; ${step.cpuUsPerEvent} µs CPU per event`,
    );
    await Bun.sleep(500);
  }
  return steps;
}

export function pacedFigures(steps: PacedStep[]): Figure[] {
  return steps.map((s) => ({
    metric: `UDP intake paced at ${s.targetRate.toLocaleString("en-US")}/s for ${PACED_MS / 1000} s: share processed`,
    unit: "%" as const,
    steward: (100 * s.processedTotal) / Math.max(1, s.sent),
    note:
      `one paced sender, failed-run datagrams; sent ${s.sent} (achieved ${Math.round(s.sent / s.sendSeconds).toLocaleString("en-US")}/s), processed ${s.processedTotal} ` +
      `(${s.processedPerSecond.toLocaleString("en-US")}/s while sending); not processed: ${s.droppedBySteward} counted by Steward, ${s.droppedByKernel} by the kernel, ` +
      `${s.unaccounted} unaccounted; Steward got ${s.stewardCores.toFixed(2)} of a core, ${s.cpuUsPerEvent} µs of CPU per event`,
  }));
}

export function overloadFigures(steps: OverloadStep[], zeroLossRate: number): Figure[] {
  return steps.map((s) => ({
    metric: `UDP intake at ${s.factor}× the zero-loss rate: task events processed per second`,
    unit: "datagrams/s" as const,
    steward: s.processedPerSecond,
    note:
      `${(s.processedPerSecond / zeroLossRate).toFixed(2)}× the zero-loss rate (${zeroLossRate.toLocaleString("en-US")}/s); sent ${s.targetRate.toLocaleString("en-US")}/s for ` +
      `${STEP_MS / 1000} s (achieved ${Math.round(s.sent / s.sendSeconds).toLocaleString("en-US")}/s); not processed: ${s.droppedBySteward} counted by Steward (shed, queue full), ` +
      `${s.droppedByKernel} by the kernel (receive buffer full), ${s.unaccounted} unaccounted; while sending Steward got ${s.stewardCores.toFixed(2)} of a core ` +
      `(the sender and the kernel's loopback work share the two cores) and spent ${s.cpuUsPerEvent} µs of CPU per event`,
  }));
}

/**
 * The worst-case datagram end to end: the 64 KB shape the parser is slowest on (scripts/bench-parse.ts), sent
 * paced at `rate` for `ms`. It is one fixed datagram, so from the second copy on Steward parses it and finds a
 * repeat: this is what a flood of the worst shape costs the intake, in datagrams handled per second.
 */
export async function measureWorstDatagram(
  port: number,
  metricsUrl: string,
  datagram: Uint8Array,
  rate: number,
  ms: number,
): Promise<{ sent: number; handledPerSecond: number; kernelDrops: number }> {
  const sock = await Bun.udpSocket({ hostname: "127.0.0.1" });
  const before = await readIntakeCounters(metricsUrl);
  const kernelBefore = kernelUdpDrops();
  const t0 = performance.now();
  let sent = 0;
  try {
    for (;;) {
      const elapsed = performance.now() - t0;
      if (elapsed >= ms) break;
      const due = Math.floor((rate * elapsed) / 1000);
      while (sent < due) {
        if (!sock.send(datagram, port, "127.0.0.1")) break;
        sent++;
      }
      await Bun.sleep(1);
    }
  } finally {
    sock.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  await Bun.sleep(1_000);
  const after = await readIntakeCounters(metricsUrl);
  return { sent, handledPerSecond: Math.round((after.received - before.received) / seconds), kernelDrops: kernelUdpDrops() - kernelBefore };
}
