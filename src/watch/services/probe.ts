// One status check of a watched service: `sc.exe [\\host] query NAME` (+ `qc NAME` for start type, display name
// and binary path) on Windows, `systemctl [-H host] show UNIT` for systemd units.
import type { CommandRunner } from "./command-runner";
import { parseScQc, parseScQuery, type ProbeError, type StartType, type WinState } from "./sc-parse";
import { parseSystemctlShow, SYSTEMCTL_PROPERTIES } from "./systemd-parse";

export interface ServiceTarget {
  platform: "windows" | "systemd";
  /** "localhost" for this machine. */
  host: string;
  name: string;
  friendlyName?: string;
}

export interface ServiceStatus {
  ok: true;
  state: WinState;
  stateCode: number;
  startType?: StartType;
  displayName?: string;
  exePath?: string;
}

export type ProbeResult = ServiceStatus | ProbeError;

const LOCAL = new Set(["localhost", ".", "127.0.0.1", "::1"]);
export const isLocalHost = (host: string) => LOCAL.has(host.toLowerCase());

export function scArgs(host: string, verb: "query" | "qc", name: string): string[] {
  return [...(isLocalHost(host) ? [] : [`\\\\${host}`]), verb, name];
}

export interface ProbeOptions {
  timeoutMs: number;
  /** Also read the configuration (start type, display name, path): at the first poll and on changes. */
  withConfig: boolean;
  scPath?: string;
  systemctlPath?: string;
}

export async function probeService(run: CommandRunner, t: ServiceTarget, o: ProbeOptions): Promise<ProbeResult> {
  if (t.platform === "systemd") {
    const args = [...(isLocalHost(t.host) ? [] : ["-H", t.host]), "show", t.name, `--property=${SYSTEMCTL_PROPERTIES}`, "--no-pager"];
    const r = await run(o.systemctlPath ?? "systemctl", args, { timeoutMs: o.timeoutMs });
    if (r.timedOut) return { ok: false, kind: "timeout", message: `systemctl did not answer within ${o.timeoutMs} ms` };
    const s = parseSystemctlShow(t.name, r.stdout + (r.code !== 0 ? r.stderr : ""), r.code);
    if (!s.ok) return s;
    const { ok: _ok, name: _n, detail: _d, ...rest } = s;
    return { ok: true, ...rest };
  }
  const sc = o.scPath ?? "sc.exe";
  const q = await run(sc, scArgs(t.host, "query", t.name), { timeoutMs: o.timeoutMs });
  if (q.timedOut) return { ok: false, kind: "timeout", message: `sc.exe query did not answer within ${o.timeoutMs} ms` };
  const state = parseScQuery(q.stdout + q.stderr, q.code);
  if (!state.ok) return state;
  const status: ServiceStatus = { ok: true, state: state.state, stateCode: state.stateCode };
  if (!o.withConfig) return status;
  const c = await run(sc, scArgs(t.host, "qc", t.name), { timeoutMs: o.timeoutMs });
  const cfg = c.timedOut ? undefined : parseScQc(c.stdout + c.stderr, c.code);
  // The configuration is extra detail: a failed qc (e.g. Wine's sc.exe lacks it) leaves the state usable.
  if (cfg?.ok) {
    status.startType = cfg.startType;
    if (cfg.displayName) status.displayName = cfg.displayName;
    if (cfg.exePath) status.exePath = cfg.exePath;
  }
  return status;
}
