// Service monitoring wired into the app, with the real command runner: on this Linux machine systemctl runs but
// systemd is not PID 1, which must show as "unreadable", never as a state or an alert; Windows entries are
// skipped on Linux. /metrics carries the per-service gauge.
import { afterEach, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("service monitor in the app", () => {
  test.skipIf(process.platform !== "linux" || !Bun.which("systemctl"))("systemctl without a running systemd is an unreadable state, not an event", async () => {
    t = createTestApp("serviceMonitor:\n  interval: 1h\n  systemd: [{ units: [cron.service] }]\n  windows: [{ host: localhost }]\n");
    const events: unknown[] = [];
    t.app.bus.onAny((_k, e) => void events.push(e));
    await t.app.start();
    const snap = await waitFor(() => t!.app.serviceMonitor.snapshot()[0]);
    expect(t.app.serviceMonitor.snapshot()).toHaveLength(1);
    expect(snap).toMatchObject({ platform: "systemd", host: "localhost", name: "cron.service" });
    const probe = Bun.spawnSync(["systemctl", "show", "cron.service", "--property=ActiveState"]);
    if (probe.exitCode === 0) expect(snap.state).toBeDefined();
    else expect(snap.error).toMatch(/^(unreachable|failed): /);
    const metrics = await (await t.request("/metrics")).text();
    expect(metrics).toContain('steward_service_state{platform="systemd",host="localhost",service="cron.service"}');
    expect(events).toEqual([]);
  });
});
