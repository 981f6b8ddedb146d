// systemctl show output mapped onto the Windows state vocabulary.
import { describe, expect, test } from "bun:test";
import { parseSystemctlShow } from "../../../../src/watch/services/systemd-parse";

const show = (props: Record<string, string>) =>
  `${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`;

describe("systemctl show", () => {
  test("active/running, enabled", () => {
    const text = show({
      Id: "postgresql.service",
      LoadState: "loaded",
      ActiveState: "active",
      SubState: "running",
      UnitFileState: "enabled",
      Description: "PostgreSQL RDBMS",
      FragmentPath: "/lib/systemd/system/postgresql.service",
    });
    expect(parseSystemctlShow("postgresql", text, 0)).toEqual({
      ok: true,
      name: "postgresql.service",
      state: "RUNNING",
      stateCode: 4,
      detail: "active/running",
      startType: "AUTOMATIC",
      displayName: "PostgreSQL RDBMS",
      exePath: "/lib/systemd/system/postgresql.service",
    });
  });

  test.each([
    ["inactive", "dead", "disabled", "STOPPED", "MANUAL"],
    ["failed", "failed", "enabled", "STOPPED", "AUTOMATIC"],
    ["activating", "start", "enabled", "START_PENDING", "AUTOMATIC"],
    ["deactivating", "stop-sigterm", "masked", "STOP_PENDING", "DISABLED"],
  ])("%s/%s (%s) → %s", (active, sub, fileState, state, startType) => {
    expect(
      parseSystemctlShow("x", show({ Id: "x.service", LoadState: "loaded", ActiveState: active, SubState: sub, UnitFileState: fileState }), 0),
    ).toMatchObject({ ok: true, state, startType });
  });

  test("a unit that does not exist, and systemctl failing", () => {
    expect(parseSystemctlShow("nope", show({ Id: "nope.service", LoadState: "not-found", ActiveState: "inactive", SubState: "dead" }), 0)).toMatchObject({
      ok: false,
      kind: "not_found",
    });
    expect(
      parseSystemctlShow("x", "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n", 1),
    ).toMatchObject({ ok: false, kind: "unreachable" });
  });
});
