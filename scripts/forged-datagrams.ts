// Forged Scheduler datagrams for the flood bench (bench-udp-forged.ts) and the intake's bound tests: a failure of a
// task no site has (a different one each) or of a real one, each with a fresh ExecutionId, padded to `bytes` in its
// names and message as an attacker would.

const APP_ID = "5f0b3c4e-0000-4000-8000-00000000a99d";

/**
 * A failed-task datagram of about `bytes` bytes (16 KB by default) with ExecutionId number `seq` of run `runId`; of
 * `taskId` when given (a real task's id makes each forged run cost QRS reads of its execution), else a task of its own.
 */
export function forgedFailureDatagram(seq: number, runId: number, bytes = 16_000, taskId?: string): Buffer {
  const hex = (n: number, len: number) => Math.floor(Math.abs(n)).toString(16).padStart(len, "0").slice(-len);
  const exec = `${hex(runId, 8)}-${hex(seq >>> 16, 4)}-4${hex(seq, 3)}-9${hex(seq, 3)}-${hex(seq * 104_729, 12)}`;
  const task = taskId ?? `5f0b3c4e-0000-4000-8000-${hex(seq, 12)}`;
  const pad = Math.max(0, Math.floor((bytes - 300) / 4));
  return Buffer.from(
    `/scheduler-task-failed/;FORGED;Task ${"t".repeat(pad)};App ${"a".repeat(pad)};INTERNAL\\sa_scheduler;${task};${APP_ID};` +
      `2025-11-03 06:00:41,512;WARN;${exec};Task finished with state FinishedFail. ${"m".repeat(2 * pad)}`,
  );
}

/** The Engine appender's time format (`%longIso8601date`): 20261126T140000.000+0000. */
const engineStamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace("Z", "+0000");

/**
 * Line `line` of a forged failed Engine reload number `reload` (an app and session of its own), of about `bytes`
 * bytes, stamped `atMs`: the lines of one reload share its app and session, so the later ones join it as it settles.
 */
export function forgedEngineFailureLine(reload: number, line: number, bytes = 2_000, atMs = Date.now()): Buffer {
  const hex = (n: number, len: number) => Math.floor(Math.abs(n)).toString(16).padStart(len, "0").slice(-len);
  const app = `5f0b3c4e-0000-4000-9000-${hex(reload, 12)}`;
  const head = `/engine-reload/;FORGED;${app};f${reload};CORP;mallory;${engineStamp(atMs)};WARN;0;AuditActivity.Engine;`;
  const message = `Command=Reload;Result=1;ResultText=Error ${reload}.${line}: `;
  return Buffer.from(`${head}${message}${"e".repeat(Math.max(0, bytes - head.length - message.length))}`);
}
