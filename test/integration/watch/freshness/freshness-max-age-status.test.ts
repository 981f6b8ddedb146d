// Issue 102: one truth for a "never older than" promise. The held-back site (held-back-chain-site.ts) on the simulator
// with Steward on one stepped clock (SQLite), Sales dashboard promised never older than 20 hours; its chain runs
// 01:30–02:02 and it refreshes itself at 07:00 from whatever QVDs are there; Anna subscribes. Thursday the chain's head
// fails on a script error at 01:38. Before, /status judged from the last reload: "up to date" from the failure until
// the data was too old (03:04), its data "as of" the 07:00 refresh of the old QVDs, and the Freshness page's next
// deadline a day on from that refresh. Now /status (HTML and JSON), the REST state, the Freshness page's JSON and the
// morning report read the judge's verdict: at risk from the failure, late from 03:04 with the data no newer than the
// failed run and its deadline 03:04; one "late" mail; "fresh again" (mail, feed, /status) cites the reload after the
// chain was run again.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { DASHBOARD_APP, HEAD, HELD_BACK_SITE, heldBackStewardYaml } from "../../../helpers/held-back-chain-site";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type SmtpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const at = (s: string) => Date.parse(s);
const KINDS = ["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const;
const DEADLINE_PROMISE = `    sales-morning:
      appNames: [Sales dashboard]
      freshBy: "06:00"
      warnAt: "05:30"
      timeZone: UTC
`;
const MAX_AGE_PROMISE = `    sales-age:
      appNames: [Sales dashboard]
      maxAge: 20h
      timeZone: UTC
`;

const dir = createTempDir();
let site: SteppedSite | undefined;
let t: TestApp | undefined;
let smtp: SmtpReceiver | undefined;
afterAll(async () => {
  await t?.close();
  await smtp?.stop();
  await site?.sim.stop();
  dir.remove();
});

interface Status {
  state: string;
  message: string;
  dataAsOf: string | null;
}
interface Row {
  app: { id: string };
  state: string;
  dataAsOf: string | null;
  nextDeadline: string | null;
}

test("a never-older-than promise whose chain head failed: never up to date on /status, its data and deadline through the chain, fresh again cites the reload after the re-run", async () => {
  site = await startSteppedSite(dir.path, at("2026-11-13T00:00:00Z"), HELD_BACK_SITE);
  const { sim, clock } = site;
  await clock.runUntil(at("2026-11-17T08:00:00Z"));
  smtp = await startSmtpReceiver();
  const httpPort = await freeTcpPort();
  const yaml = heldBackStewardYaml(site, { httpPort, smtpPort: smtp.port });
  expect(yaml).toContain(DEADLINE_PROMISE);
  t = createTestApp(yaml.replace(DEADLINE_PROMISE, MAX_AGE_PROMISE), { clock, dir: join(dir.path, "steward") });
  const events: WatchdogEvent[] = [];
  for (const k of KINDS) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  await t.app.start();
  sim.settings.udp.targets = [{ host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }];
  const base = `http://127.0.0.1:${httpPort}`;
  const anna = () => smtp!.mails.filter((m) => m.envelopeTo.includes("anna@corp.example"));
  const notices = () =>
    anna()
      .slice(1)
      .map((m) => m.mail.subject ?? "");
  const status = async () => {
    const r = await fetch(`${base}/v4/status/apps/${DASHBOARD_APP}`);
    expect(r.status).toBe(200);
    return (await r.json()) as Status;
  };
  const row = async () => {
    const r = await fetch(`${base}/v4/freshness`);
    expect(r.status).toBe(200);
    return ((await r.json()) as { rows: Row[] }).rows.find((x) => x.app.id === DASHBOARD_APP)!;
  };
  const page = async () => (await fetch(`${base}/status`)).text();

  await clock.runUntil(at("2026-11-17T08:05:00Z"));
  const asked = await fetch(`${base}/status/subscriptions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "anna@corp.example", appId: DASHBOARD_APP }),
  });
  expect(asked.status).toBe(202);
  await clock.runUntil(at("2026-11-17T08:10:00Z"));
  const confirmation = await waitFor(() => anna()[0], { what: "the confirmation mail" });
  const confirm = /(http:\/\/\S+\/status\/subscriptions\/confirm\?\S+)/.exec(confirmation.mail.text ?? "")?.[1];
  expect((await fetch(confirm!, { method: "POST" })).status).toBe(200);

  // Wednesday: the chain runs at 01:30, the dashboard refreshes at 07:00 after it: fresh, nothing said.
  await clock.runUntil(at("2026-11-18T07:10:00Z"));
  expect((await status()).state).toBe("fresh");
  expect(events).toEqual([]);
  const refresh = site.finished.filter((r) => r.task === "Reload Sales dashboard" && r.startMs >= at("2026-11-18T06:59:00Z"))[0]!;
  const tooOld = new Date(refresh.stopMs + 20 * 3_600_000).toISOString();
  expect(tooOld.slice(0, 16)).toBe("2026-11-19T03:04");
  expect((await row()).nextDeadline).toBe(tooOld);

  // Thursday: the head fails on a script error at 01:38; the 07:00 refresh reloads the same old QVDs.
  const patch = await fetch(`http://127.0.0.1:${sim.ports.control}/tasks/${HEAD}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ outcome: { failThenSucceed: 1 } }),
  });
  expect(patch.status).toBe(200);
  const states: string[] = [];
  for (const step of ["01:45", "02:30", "03:10", "05:00", "07:10", "09:00"]) {
    await clock.runUntil(at(`2026-11-19T${step}:00Z`));
    const s = await status();
    states.push(`${step} ${s.state}`);
    expect(s.message).not.toContain("up to date");
    expect(await page()).not.toContain("Sales dashboard is up to date");
    // Its data is no newer than the run that failed, whatever the refreshes.
    expect(Date.parse(s.dataAsOf!)).toBeLessThanOrEqual(at("2026-11-19T01:38:00Z"));
  }
  expect(states).toEqual(["01:45 at_risk", "02:30 at_risk", "03:10 late", "05:00 late", "07:10 late", "09:00 late"]);
  const refreshed = site.finished.filter((r) => r.task === "Reload Sales dashboard" && r.startMs >= at("2026-11-19T06:59:00Z"));
  expect(refreshed.map((r) => r.status)).toEqual([7]);
  // The Freshness page's row: late since the data became too old, not a day on from the refresh of the old QVDs.
  const late = await row();
  expect(late.state).toBe("late");
  expect(late.nextDeadline).toBe(tooOld);
  expect(Date.parse(late.dataAsOf!)).toBeLessThanOrEqual(at("2026-11-19T01:38:00Z"));
  // The dashboard's Freshness page shows the same row: its next deadline cell is when the data became too old.
  const ui = await fetch(`${base}/ui/freshness`);
  expect(ui.status).toBe(200);
  const html = await ui.text();
  expect(html).toContain(`<td><time datetime="${tooOld}"`);
  expect(html).not.toContain(`datetime="${new Date(refreshed[0]!.stopMs + 20 * 3_600_000).toISOString()}"`);
  expect((await status()).message).toContain("a load it depends on failed and has to run again");
  expect(events.map((e) => e.kind)).toEqual(["app.freshness_breached"]);
  expect(events[0]!.data.deadline).toBe(tooOld);
  const lateMails = await waitFor(() => (notices().length >= 1 ? notices() : undefined), { what: "the late mail" });
  expect(lateMails).toEqual(["Sales dashboard is older than promised"]);

  // 09:00: someone runs the chain again from its head; the dashboard reloads after the model.
  expect(sim.tasks.start(HEAD).started).toBe(true);
  await clock.runUntil(at("2026-11-19T09:50:00Z"));
  const recovered = events.at(-1)!;
  expect(recovered.kind).toBe("app.freshness_recovered");
  const reload = site.finished.filter((r) => r.task === "Reload Sales dashboard").at(-1)!;
  expect(reload.startMs).toBeGreaterThan(at("2026-11-19T09:20:00Z"));
  const reloadAt = new Date(reload.stopMs).toISOString().slice(11, 16);
  expect(recovered.summary).toContain('after its chain ran ("Extract sales" → "Transform sales")');
  const fresh = await waitFor(() => anna()[2], { what: "the fresh-again mail" });
  expect(fresh.mail.subject).toBe(`Sales dashboard is fresh again (data as of ${reloadAt})`);
  const now = await status();
  expect(now.state).toBe("fresh");
  expect(now.message).toContain(`is up to date (data as of ${reloadAt} UTC, loaded after the loads it depends on ran)`);
  expect((await row()).nextDeadline).toBe(new Date(reload.stopMs + 20 * 3_600_000).toISOString());
  const feed = await (await fetch(`${base}/status/feed.atom`)).text();
  expect(feed).toContain(`Sales dashboard is fresh again (data as of ${reloadAt})`);

  // Friday: the chain runs again; kept, nothing more said.
  await clock.runUntil(at("2026-11-20T07:10:00Z"));
  expect((await status()).state).toBe("fresh");
  expect(notices()).toHaveLength(2);
}, 300_000);
