// UDP load for `npm run bench`: paced sending at a target rate and back-to-back bursts of realistic scheduler
// datagrams (a unique ExecutionId each), with the receiver's count read back and the loss computed.
import { readFileSync } from "node:fs";

export interface UdpCounts {
  /** Datagrams the target accepted for processing. */
  accepted: number;
  /** Datagrams the target received but dropped itself (queue full …); counted, so never silent. */
  dropped: number;
}

export interface UdpStep {
  sent: number;
  accepted: number;
  droppedByTarget: number;
  /** Kernel receive-buffer overflows on this machine during the step (/proc/net/snmp RcvbufErrors). */
  droppedByKernel: number;
  lost: number;
  seconds: number;
}

const TASK_ID = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const APP_ID = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";

/** A failed-reload datagram in the current appender format with a fresh ExecutionId. */
export function failedTaskDatagram(seq: number, runId: number): Buffer {
  const hex = (n: number, len: number) => Math.floor(Math.abs(n)).toString(16).padStart(len, "0").slice(-len);
  const exec = `${hex(runId, 8)}-${hex(seq >>> 16, 4)}-4${hex(seq, 3)}-8${hex(seq, 3)}-${hex(seq * 7919, 12)}`;
  return Buffer.from(
    `/scheduler-task-failed/;SENSE1;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${TASK_ID};${APP_ID};` +
      `2025-11-03 06:00:41,512;WARN;${exec};Task finished with state FinishedFail. Max retries reached.`,
  );
}

/** Kernel-wide UDP receive-buffer errors so far (Linux), or 0 where /proc is unavailable. */
export function kernelUdpDrops(): number {
  try {
    const lines = readFileSync("/proc/net/snmp", "utf8")
      .split("\n")
      .filter((l) => l.startsWith("Udp:"));
    const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
    const i = names?.indexOf("RcvbufErrors") ?? -1;
    return i >= 0 ? Number(values?.[i] ?? 0) : 0;
  } catch {
    return 0;
  }
}

export interface UdpSender {
  /** Sends `count` datagrams as fast as the socket allows; returns how many were handed to the kernel. */
  burst(count: number): Promise<number>;
  /** Sends at `rate` per second for `ms`; returns how many were sent. */
  paced(rate: number, ms: number): Promise<number>;
  close(): void;
}

export async function createUdpSender(port: number): Promise<UdpSender> {
  let seq = 0;
  const runId = Date.now() % 0x1_0000_0000;
  let drained: (() => void) | undefined;
  const sock = await Bun.udpSocket({ hostname: "127.0.0.1", socket: { drain: () => drained?.() } });
  const sendOne = async (): Promise<void> => {
    const data = failedTaskDatagram(seq, runId);
    for (let tries = 0; tries < 1000; tries++) {
      if (sock.send(data, port, "127.0.0.1")) {
        seq++;
        return;
      }
      // The socket's send buffer is full: wait for drain (bounded) rather than count it as loss.
      await Promise.race([new Promise<void>((r) => (drained = r)), Bun.sleep(5)]);
    }
    throw new Error("UDP send kept failing");
  };
  return {
    async burst(count) {
      for (let i = 0; i < count; i++) await sendOne();
      return count;
    },
    async paced(rate, ms) {
      const start = performance.now();
      let sent = 0;
      for (;;) {
        const elapsed = performance.now() - start;
        if (elapsed >= ms) break;
        const due = Math.min(Math.floor((rate * elapsed) / 1000), Math.floor((rate * ms) / 1000));
        while (sent < due) {
          await sendOne();
          sent++;
        }
        await Bun.sleep(1);
      }
      return sent;
    },
    close: () => sock.close(),
  };
}

/** Runs one send step against a target and waits (bounded) until its counters settle. */
export async function measureStep(sender: UdpSender, counts: () => Promise<UdpCounts>, send: (s: UdpSender) => Promise<number>): Promise<UdpStep> {
  const before = await counts();
  const kernelBefore = kernelUdpDrops();
  const t0 = performance.now();
  const sent = await send(sender);
  const seconds = (performance.now() - t0) / 1000;
  // Settle: until everything sent is accounted for, or the counters stop moving for 500 ms (at most 5 s).
  let last = await counts();
  let stableSince = performance.now();
  const deadline = performance.now() + 5_000;
  while (performance.now() < deadline) {
    if (last.accepted - before.accepted + (last.dropped - before.dropped) >= sent) break;
    await Bun.sleep(50);
    const now = await counts();
    if (now.accepted !== last.accepted || now.dropped !== last.dropped) stableSince = performance.now();
    else if (performance.now() - stableSince > 500) break;
    last = now;
  }
  const accepted = last.accepted - before.accepted;
  const droppedByTarget = last.dropped - before.dropped;
  return { sent, accepted, droppedByTarget, droppedByKernel: kernelUdpDrops() - kernelBefore, lost: sent - accepted, seconds };
}
