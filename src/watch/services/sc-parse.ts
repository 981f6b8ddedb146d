// Parses `sc.exe query NAME` and `sc.exe qc NAME` output without relying on its text: Windows localises the
// labels (STATE, STATUS, ÉTAT, TILLSTÅND …) and sometimes the words, so fields are taken by position and the
// numeric codes are what counts. Errors are recognised by sc's exit code / the number in its "[SC] … n:" line.

export const WIN_STATES = ["STOPPED", "START_PENDING", "STOP_PENDING", "RUNNING", "CONTINUE_PENDING", "PAUSE_PENDING", "PAUSED"] as const;
export type WinState = (typeof WIN_STATES)[number];

/** Butler's/Influx's startup modes; BOOT and SYSTEM are drivers' start types. */
export type StartType = "AUTOMATIC" | "DELAYED" | "MANUAL" | "DISABLED" | "BOOT" | "SYSTEM";
const START_TYPES: Record<number, StartType> = { 0: "BOOT", 1: "SYSTEM", 2: "AUTOMATIC", 3: "MANUAL", 4: "DISABLED" };

export type ProbeErrorKind = "not_found" | "access_denied" | "unreachable" | "timeout" | "failed";

export interface ProbeError {
  ok: false;
  kind: ProbeErrorKind;
  /** Win32 error number when sc reported one (1060, 5, 1722 …). */
  code?: number;
  message: string;
}

export interface ScQuery {
  ok: true;
  name: string;
  stateCode: number;
  state: WinState;
}

export interface ScConfig {
  ok: true;
  startCode: number;
  startType: StartType;
  exePath?: string;
  displayName?: string;
  account?: string;
}

const ERROR_KINDS: Record<number, ProbeErrorKind> = {
  5: "access_denied",
  1060: "not_found",
  53: "unreachable",
  1722: "unreachable",
  1726: "unreachable",
  1753: "unreachable",
  1115: "unreachable",
};

interface Field {
  label: string;
  value: string;
}

/** "LABEL : value" lines in order; continuation lines (flags in parentheses, extra dependencies) are skipped. */
function fields(text: string): Field[] {
  const out: Field[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*([^:\s][^:]*?)\s*:\s?(.*)$/.exec(raw);
    if (!m || m[1]!.startsWith("[SC]")) continue;
    out.push({ label: m[1]!, value: m[2]!.trim() });
  }
  return out;
}

/** The Win32 error sc printed ("[SC] OpenService FAILED 1060:", "… FEHLER 5:", "… ÉCHEC 5 :"). */
export function scError(text: string, exitCode: number): ProbeError | undefined {
  const line = text.split(/\r?\n/).find((l) => /^\[SC\]/.test(l.trim()) && /\d+\s*:\s*$/.test(l));
  const fromText = line ? Number(/(\d+)\s*:\s*$/.exec(line)![1]) : undefined;
  const code = fromText ?? (exitCode !== 0 ? exitCode : undefined);
  if (code === undefined) return undefined;
  const message =
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("[SC]"))
      .join(" ") || `sc.exe exited with ${exitCode}`;
  return { ok: false, kind: ERROR_KINDS[code] ?? "failed", code, message };
}

const decimal = (value: string) => /^(\d+)(?:\s|$)/.exec(value);

export function parseScQuery(text: string, exitCode: number): ScQuery | ProbeError {
  const err = scError(text, exitCode);
  if (err) return err;
  const f = fields(text);
  const name = f[0]?.value;
  // Decimal-valued fields in order: TYPE, STATE, WIN32_EXIT_CODE, SERVICE_EXIT_CODE (hex ones are 0x…).
  const numeric = f.slice(1).filter((x) => decimal(x.value));
  const stateCode = numeric[1] ? Number(decimal(numeric[1].value)![1]) : NaN;
  if (!name || !(stateCode >= 1 && stateCode <= 7)) {
    return { ok: false, kind: "failed", message: `unrecognised sc.exe query output: ${JSON.stringify(text.slice(0, 200))}` };
  }
  return { ok: true, name, stateCode, state: WIN_STATES[stateCode - 1]! };
}

export function parseScQc(text: string, exitCode: number): ScConfig | ProbeError {
  const err = scError(text, exitCode);
  if (err) return err;
  // By position after SERVICE_NAME: TYPE, START_TYPE, ERROR_CONTROL, BINARY_PATH_NAME, LOAD_ORDER_GROUP, TAG,
  // DISPLAY_NAME, DEPENDENCIES, SERVICE_START_NAME.
  const f = fields(text);
  const start = f[2] ? decimal(f[2].value) : null;
  if (!start || f.length < 8) return { ok: false, kind: "failed", message: `unrecognised sc.exe qc output: ${JSON.stringify(text.slice(0, 200))}` };
  const startCode = Number(start[1]);
  // "2   AUTO_START  (DELAYED)": the parenthesised suffix marks delayed start, whatever the language.
  const delayed = startCode === 2 && /\(.+\)\s*$/.test(f[2]!.value);
  const startType: StartType = delayed ? "DELAYED" : (START_TYPES[startCode] ?? "MANUAL");
  const last = f.at(-1)!;
  return {
    ok: true,
    startCode,
    startType,
    ...(f[4]?.value ? { exePath: f[4].value } : {}),
    ...(f[7]?.value ? { displayName: f[7].value } : {}),
    ...(f.length >= 10 && last.value ? { account: last.value } : {}),
  };
}
