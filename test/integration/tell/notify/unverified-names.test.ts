// Issue 86, point 3: a user or node named in a page is one QRS knows; anything else is shown as unverified text, safe
// in every medium. An Engine line naming "INTERNAL\sa_scheduler <!channel> … Reset your password at
// evil.example/reset" (Qlik's INTERNAL directory was never looked up), and a datagram of a real run naming such a user,
// reach mail (text and HTML), Slack, Teams and a webhook with no mention, no tag and no link text: marked unverified.
// The real INTERNAL\sa_scheduler, which QRS lists, is shown as it is.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { IDS, type Harness } from "../../hear/intake/harness";
import { type MailedHarness, startMailedHarness } from "../../../helpers/mailed-harness";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver } from "./receivers";

const FORGED_USER = "sa_scheduler <!channel> … Reset your password at evil.example/reset";
const CHANNELS = ["mail", "slack", "teams", "hook"];

let smtp: SmtpReceiver;
let rx: HttpReceiver;
let h: Harness;
let m: MailedHarness | undefined;

beforeAll(async () => {
  rx = startHttpReceiver(200);
  m = await startMailedHarness("steward-unverified-", {
    extraYaml: (mail) => `
engineReloads: { settle: 100ms }
channels:
${mail}
  slack: { type: slack, webhookUrl: "${rx.url}/slack" }
  teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { name: all, on: [task.failed, app.reload_failed], to: [${CHANNELS.join(", ")}], renotify: every }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 200ms }
`,
  });
  ({ h, smtp } = m);
}, 60_000);
afterAll(async () => {
  await m?.close();
  await rx?.stop();
});

function send(text: string): Promise<void> {
  const sock = createSocket("udp4");
  return new Promise((resolve, reject) =>
    sock.send(Buffer.from(text), h.udpPort(), "127.0.0.1", (err) => {
      sock.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}

/** Every body each channel received for the event (mail: its text and its HTML), once all four delivered. */
async function delivered(event: TaskEvent): Promise<Record<string, string>> {
  type Row = { channel: string; status: string };
  const rows = async () => ((await (await h.t.request(`/v4/deliveries?eventId=${encodeURIComponent(event.id)}`)).json()) as { deliveries: Row[] }).deliveries;
  await waitFor(async () => (await rows()).filter((d) => d.status === "delivered").length === CHANNELS.length, {
    timeoutMs: 20_000,
    what: `the four deliveries of ${event.id}`,
  });
  const mail = smtp.mails.at(-1)!.mail;
  const http = (path: string) => rx.requests.filter((r) => r.path === path).at(-1)!.body;
  return { mailText: mail.text ?? "", mailHtml: mail.html ?? "", slack: http("/slack"), teams: http("/teams"), hook: http("/hook") };
}

function expectSafe(bodies: Record<string, string>): void {
  for (const [where, body] of Object.entries(bodies)) {
    expect({ where, mention: /<!channel>|&lt;!channel&gt;|!channel&gt;/.test(body) }).toEqual({ where, mention: false });
    expect({ where, link: /evil\.example/.test(body) }).toEqual({ where, link: false });
    // Teams escapes Markdown characters of the text (evil\\[.\\]example), and JSON its backslashes.
    const marked = /evil\\*\[\.\\*\]example\/reset \\*\(unverified\\*\)/.test(body);
    expect({ where, marked: marked ? true : body }).toEqual({ where, marked: true });
  }
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace("Z", "+0000");

test("an Engine line naming an INTERNAL user QRS does not list: paged as unverified text, safe in every channel", async () => {
  await send(
    `/engine-reload/;sense1.test.example;${IDS.app};s-forged;INTERNAL;${FORGED_USER};${stamp(Date.now())};WARN;0;AuditActivity.Engine;Command=Reload;Result=1;ResultText=Error: Reload failed`,
  );
  const event = await waitFor(() => h.events.find((e) => e.kind === "app.reload_failed"), { timeoutMs: 20_000, what: "the forged reload's event" });
  expect(event.user).toBe("INTERNAL\\sa_scheduler ‹!channel› … Reset your password at evil[.]example/reset (unverified)");
  expectSafe(await delivered(event));
}, 60_000);

test("a datagram of a real run naming a user QRS does not list: the same; the real INTERNAL\\sa_scheduler is shown as it is", async () => {
  // The simulator's own datagram is not sent: the forged one is the only one of the run.
  h.sim.settings.udp.targets = [];
  const exec = await h.runWhenIdle(IDS.reload, "fail");
  await waitFor(() => !h.sim.tasks.isRunning(IDS.reload), { timeoutMs: 10_000, what: "the run to end" });
  await send(
    `/scheduler-task-failed/;sense1.test.example;Reload Sales dashboard;Sales dashboard;INTERNAL\\${FORGED_USER};${IDS.reload};${IDS.app};2025-11-03 06:00:41,512;WARN;${exec};Task finished with state FinishedFail. Max retries reached.`,
  );
  const event = await h.eventFor(exec, 20_000);
  expect(event.unconfirmed).toBeUndefined();
  expect(event.user).toBe("INTERNAL\\sa_scheduler ‹!channel› … Reset your password at evil[.]example/reset (unverified)");
  expectSafe(await delivered(event));

  h.aim();
  const real = await h.runWhenIdle(IDS.reload, "fail");
  expect((await h.eventFor(real, 20_000)).user).toBe("INTERNAL\\sa_scheduler");
}, 60_000);
