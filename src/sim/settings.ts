// Runtime knobs of the simulator (timing, script logs, start behaviour, UDP), changeable through the control API.
import { z } from "zod";

export const UdpTargetSchema = z.strictObject({ host: z.string().min(1), port: z.int().min(1).max(65535) });

export const UdpSettingsSchema = z.strictObject({
  /** Where every node's appender sends, unless the node has targets of its own (one Steward per site). */
  targets: z.array(UdpTargetSchema).default([]),
  /**
   * Per node (by node name): the targets of that node's own LocalLogConfig.xml, used instead of `targets` for runs
   * on that node, as with one Steward per Qlik node. Set from the site fixture (`nodes[].udpTargets`), the CLI
   * (`--node-udp-target`) or `PUT /udp/nodes/{node}/targets`; node names are checked against the site.
   */
  nodeTargets: z.record(z.string().min(1), z.array(UdpTargetSchema)).default({}),
  /** Which LocalLogConfig.xml generation the Scheduler runs: current `/scheduler-task-*`, legacy `/scheduler-reload-*`, or both. */
  generation: z.enum(["current", "legacy", "both"]).default("current"),
  /** Extra copies of every datagram (same ExecutionId), to exercise deduplication. */
  duplicates: z.int().min(0).max(10).default(0),
  /** Put `;` into task names and messages, as a hazard for naive splitting. */
  semicolons: z.boolean().default(false),
  /** Append non-ASCII text to task names. */
  nonAscii: z.boolean().default(false),
  /** Pad messages so each datagram is this many bytes (0 = off; capped at 65507). */
  oversizeBytes: z.int().min(0).max(65_507).default(0),
  /** Drop this many upcoming datagrams (counts down as they are dropped). */
  dropNext: z.int().min(0).default(0),
  /** Render AppName/AppId of non-app tasks as log4net's `(null)` instead of empty. */
  nullForMissing: z.boolean().default(false),
  /**
   * The Engine's reload appender file (`steward appender-xml --engine`) is installed on every node: its reload lines
   * (start, end, failure; Engine API reloads and the Scheduler's alike) go to the node's targets as `/engine-reload/`.
   */
  engine: z.boolean().default(false),
  /**
   * Nodes (by node name) whose Engine sends none of its lines although `engine` is on: its appender file removed by an
   * upgrade, a logger missing from it, the audit activity log level Off. Set through `PUT /udp/nodes/{node}/engine`.
   */
  engineSilentNodes: z.array(z.string().min(1)).default([]),
});

export const TimingSettingsSchema = z.strictObject({
  /** Multiplies every fixture duration (0.01 makes a 30 s task take 300 ms). */
  timeScale: z.number().positive().default(1),
  /** When set (not null), every task run and engine reload takes this long instead. */
  durationOverrideMs: z.int().min(0).nullable().default(null),
  /** Delay between the UDP datagram of a final transition and the QRS record showing it. */
  qrsLagMs: z.int().min(0).default(0),
});

export const ScriptLogSettingsSchema = z.strictObject({
  /** Download refs answer 404 for this long after they were handed out. */
  notReadyMs: z.int().min(0).default(0),
  /** Download refs expire (404) this long after they were handed out. */
  expireMs: z.int().min(1).default(300_000),
  /** The old `scriptlog?fileReferenceId=` endpoint answers 404, forcing the `scriptlogfile` fallback. */
  oldEndpointFails: z.boolean().default(false),
  /** New runs get the zero fileReferenceID (the log stays reachable through `scriptlogfile`). */
  zeroFileReference: z.boolean().default(false),
  /** The Engine's Log\Script folder on disk: every reload's log is written there as `<app id>.<time>.log` when it ends. */
  dir: z.string().min(1).nullable().default(null),
});

export const StartSettingsSchema = z.strictObject({
  /** 409 for a start request: never, only while the task runs, or always. */
  conflict: z.enum(["off", "whenRunning", "always"]).default("off"),
});

export const SimSettingsSchema = z.strictObject({
  udp: UdpSettingsSchema.prefault({}),
  timing: TimingSettingsSchema.prefault({}),
  scriptLog: ScriptLogSettingsSchema.prefault({}),
  start: StartSettingsSchema.prefault({}),
});

export type UdpTarget = z.infer<typeof UdpTargetSchema>;
export type UdpSettings = z.infer<typeof UdpSettingsSchema>;
export type TimingSettings = z.infer<typeof TimingSettingsSchema>;
export type SimSettings = z.infer<typeof SimSettingsSchema>;
export type SimSettingsInput = z.input<typeof SimSettingsSchema>;

/** Partial update as accepted by the control API (`PATCH /settings`). */
/** `PATCH /udp` and `PATCH /settings`: per-node targets change only through `/udp/nodes/{node}/targets`, which checks the node. */
export const UdpSettingsPatchSchema = UdpSettingsSchema.omit({ nodeTargets: true, engineSilentNodes: true }).partial();

export const SimSettingsPatchSchema = z.strictObject({
  udp: UdpSettingsPatchSchema.optional(),
  timing: TimingSettingsSchema.partial().optional(),
  scriptLog: ScriptLogSettingsSchema.partial().optional(),
  start: StartSettingsSchema.partial().optional(),
});

/**
 * Applies a validated patch. Only keys present in the raw request count: zod 4 fills defaults even inside
 * `.partial()`, which would otherwise reset knobs the caller did not mention.
 */
export function applySettingsPatch(target: SimSettings, patch: z.infer<typeof SimSettingsPatchSchema>, raw: unknown): void {
  for (const key of ["udp", "timing", "scriptLog", "start"] as const) {
    const part = patch[key];
    const rawPart = (raw as Record<string, unknown> | null)?.[key];
    if (part && rawPart && typeof rawPart === "object") assignPresent(target[key], part, rawPart);
  }
}

export function assignPresent<T extends object>(target: T, parsed: Partial<T>, raw: object): void {
  for (const k of Object.keys(raw)) {
    if (k in parsed) (target as Record<string, unknown>)[k] = (parsed as Record<string, unknown>)[k];
  }
}

/** Effective duration of a run or reload of fixture length `ms`. */
export function effectiveDuration(timing: TimingSettings, ms: number, override?: number): number {
  if (override !== undefined) return override;
  if (timing.durationOverrideMs !== null) return timing.durationOverrideMs;
  return Math.round(ms * timing.timeScale);
}

/** "host:port" or "[v6]:port" into a target. */
export function parseUdpTarget(text: string): UdpTarget | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host: m[1]!, port };
}
