// Parses `systemctl show UNIT -p Id,LoadState,ActiveState,SubState,UnitFileState,Description,FragmentPath`
// (KEY=value lines; the keys are not localised) into the same state vocabulary as Windows services.
import type { ProbeError, StartType, WinState } from "./sc-parse";

export const SYSTEMCTL_PROPERTIES = "Id,LoadState,ActiveState,SubState,UnitFileState,Description,FragmentPath";

export interface UnitStatus {
  ok: true;
  name: string;
  state: WinState;
  stateCode: number;
  /** systemd's own words, e.g. "failed/failed" or "active/running". */
  detail: string;
  startType?: StartType;
  displayName?: string;
  exePath?: string;
}

const ACTIVE: Record<string, WinState> = {
  active: "RUNNING",
  reloading: "RUNNING",
  refreshing: "RUNNING",
  inactive: "STOPPED",
  failed: "STOPPED",
  activating: "START_PENDING",
  deactivating: "STOP_PENDING",
  maintenance: "PAUSED",
};
const CODE: Record<WinState, number> = { STOPPED: 1, START_PENDING: 2, STOP_PENDING: 3, RUNNING: 4, CONTINUE_PENDING: 5, PAUSE_PENDING: 6, PAUSED: 7 };

function startTypeOf(unitFileState: string | undefined): StartType | undefined {
  if (!unitFileState) return undefined;
  if (unitFileState.startsWith("masked")) return "DISABLED";
  if (unitFileState === "disabled") return "MANUAL";
  if (/^(enabled|enabled-runtime|static|alias|indirect|generated|linked)/.test(unitFileState)) return "AUTOMATIC";
  return undefined;
}

export function parseSystemctlShow(unit: string, text: string, exitCode: number): UnitStatus | ProbeError {
  const props = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf("=");
    if (i > 0) props.set(line.slice(0, i), line.slice(i + 1));
  }
  const active = props.get("ActiveState");
  if (exitCode !== 0 || !active) {
    const message = text.trim() || `systemctl exited with ${exitCode}`;
    const kind = /access denied|permission/i.test(message)
      ? "access_denied"
      : /Failed to connect|No route|Connection refused|ssh/i.test(message)
        ? "unreachable"
        : "failed";
    return { ok: false, kind, message };
  }
  if (props.get("LoadState") === "not-found") return { ok: false, kind: "not_found", message: `unit ${unit} does not exist` };
  const state = ACTIVE[active];
  if (!state) return { ok: false, kind: "failed", message: `unknown ActiveState "${active}" of ${unit}` };
  const startType = startTypeOf(props.get("UnitFileState"));
  return {
    ok: true,
    name: props.get("Id") || unit,
    state,
    stateCode: CODE[state],
    detail: `${active}/${props.get("SubState") ?? ""}`,
    ...(startType ? { startType } : {}),
    ...(props.get("Description") ? { displayName: props.get("Description") } : {}),
    ...(props.get("FragmentPath") ? { exePath: props.get("FragmentPath") } : {}),
  };
}
