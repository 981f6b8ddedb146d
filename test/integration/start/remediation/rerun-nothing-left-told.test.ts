// Issue 101, "a re-run refused with nothing left to re-run is told where the page went", on the simulator and a stepped
// clock shared with Steward, on SQLite and PostgreSQL. Node Reload01 runs one reload at a time (queue timeout 20
// minutes); an admin's reload holds it from 01:50 to 02:30, so Qlik cancels Load sales (due 02:00) at 02:20 and the
// backlog's page goes to Anna's mail, Teams and Slack. Load sales is started again by hand at 02:41 and runs well. At
// 03:00 Anna presses the backlog mail's *Re-run the cancelled runs*: nothing is left to re-run, and her link's page
// says so; 20 seconds later she presses the same in the cause's recovered mail (a double press). The others on call hear of it once, on each channel
// that got the page: who pressed, and why nothing was started (Load sales ran again, and when). Before, only the
// link's page said it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeAll, type TestApp } from "../../../helpers/app";
import { at, daily, QUIET_LOOKS, reloadQueueSiteYaml, reloadTask, startStewardOnSite } from "../../../helpers/reload-queue-site";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../../tell/notify/receivers";

const BASE = "https://steward.corp.example";
const ANNA = "anna@corp.example";
const ADMIN = "f5f00000-0000-4000-8000-0000000000a1";
const SALES = "f5f00000-0000-4000-8000-000000000001";
const SITE = reloadQueueSiteYaml({
  name: "Nothing left to re-run",
  engines: 1,
  engineTimeout: 20,
  apps: ["Admin long", "Load sales"],
  tasks: [reloadTask("Admin long", 40, [], `, id: ${ADMIN}`), reloadTask("Load sales", 5, [daily("02:00")], `, id: ${SALES}`)],
});
const UPDATE = "remediation.action_update";
const NOTHING = "refused when asked: nothing left to re-run";

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

/** The links of a mail's HTML part, as a browser follows them (entities decoded), by their text. */
function buttonsOf(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)) out.set(m[2]!, m[1]!.replaceAll("&amp;", "&").replaceAll("&#38;", "&"));
  return out;
}
/** A Teams or Slack post's text as a person reads it (their Markdown escapes dropped). */
const postsTo = (rx: HttpReceiver, path: string) => rx.requests.filter((r) => r.path === path).map((r) => r.body.replace(/\\/g, ""));

for (const backend of ["sqlite", "postgres"] as const)
  describe(`a re-run refused with nothing left is told where the page went (${backend})`, () => {
    const dir = createTempDir(`steward-rerun-nothing-left-${backend}-`);
    let s: SteppedSite | undefined;
    let t: TestApp | undefined;
    let rx: HttpReceiver;
    let smtp: SmtpReceiver;
    const answers: Array<{ status: number; text: string }> = [];
    let salesRanAgain = "";

    afterAll(async () => {
      await closeAll(t, s?.sim, dir);
      await rx?.stop();
      await smtp?.stop();
    });

    beforeAll(async () => {
      rx = startHttpReceiver();
      smtp = await startSmtpReceiver();
      s = await startSteppedSite(dir.path, at("01:30"), SITE);
      const { sim, clock } = s;
      const url = backend === "postgres" ? await (pg ??= await startPostgres()).createDatabase("rerun_nothing_left") : "";
      ({ t } = await startStewardOnSite(
        s,
        dir.path,
        `${url ? `store:\n  postgres: { url: "${url}", leaseTtlMs: 180000, heartbeatIntervalMs: 60000 }\n` : ""}${QUIET_LOOKS}notify: { timeZone: UTC }
channels:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [${ANNA}] }
  ops-teams: { type: teams, webhookUrl: "${rx.url}/teams" }
  ops-slack: { type: slack, webhookUrl: "${rx.url}/slack" }
routes:
  - { on: [scheduler.queue_backlog, task.on_track], to: [mail, ops-teams, ops-slack] }
actionLinks: { publicBaseUrl: "${BASE}" }
`,
        at("01:30"),
      ));
      await clock.runUntil(at("01:50"));
      sim.tasks.start(ADMIN, { user: "CORP\\anna" });
      await clock.runUntil(at("02:41"));
      sim.tasks.start(SALES, { user: "CORP\\anna" });
      await clock.runUntil(at("03:00"));
      salesRanAgain = new Date(s.finished.filter((r) => r.task === "Load sales").at(-1)?.stopMs ?? 0).toISOString().slice(11, 16);
      // The backlog's page and its recovered mail (the cause closed as the queue emptied) each carry the link.
      const linkOf = (kind: string) =>
        buttonsOf(smtp.mails.find((m) => m.raw.includes(`X-Steward-Event: ${kind}`))?.mail.html ?? "").get("Re-run the cancelled runs") ?? "";
      const links = [linkOf("scheduler.queue_backlog"), linkOf("task.on_track")];
      for (const link of links) expect(link).toContain("/act/cause/");
      const press = async (link: string) => {
        const res = await t!.app.http.hono.request(
          `http://127.0.0.1:8080${new URL(link).pathname}${new URL(link).search}`,
          { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE }, body: "confirm=rerun" },
          { remoteAddress: "127.0.0.1" },
        );
        answers.push({ status: res.status, text: await res.text() });
      };
      await press(links[0]!);
      await clock.runUntil(at("03:00") + 20_000);
      await press(links[1]!);
      await clock.runUntil(at("03:10"));
    }, 240_000);

    test("each link's page says nothing is left to re-run", () => {
      expect(answers).toHaveLength(2);
      for (const a of answers) expect(a.text).toContain("Nothing left to re-run");
      expect(salesRanAgain).toMatch(/^02:4\d$/);
    });

    test("told once on each channel that got the page: who pressed, and that Load sales ran again, when", () => {
      const mails = smtp.mails.filter((m) => m.raw.includes(`X-Steward-Event: ${UPDATE}`)).map((m) => m.mail.text ?? "");
      const teams = postsTo(rx, "/teams").filter((b) => b.includes(NOTHING));
      const slack = postsTo(rx, "/slack").filter((b) => b.includes(NOTHING));
      expect([mails.length, teams.length, slack.length]).toEqual([1, 1, 1]);
      for (const text of [mails[0]!, teams[0]!, slack[0]!]) {
        expect(text).toContain(ANNA);
        expect(text).toContain(NOTHING);
        expect(text).toContain(`Load sales ran again at 2026-03-03 ${salesRanAgain}`);
      }
    });
  });
