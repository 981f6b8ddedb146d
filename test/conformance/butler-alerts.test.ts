// The alerts of one failed reload against what Butler 16.0.4 sent (test/fixtures/butler-16.0.4/alerts.json), field by
// field: e-mail, Slack, Teams, SIGNL4 and New Relic. Steward runs on the config the importer makes of Butler's
// recording config. What Butler sent and Steward does not is an exact, documented list (docs/switching-from-butler.md,
// "Outputs"): a new difference fails here until it is fixed or documented.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../helpers/wait-for";
import type { CapturedRequest } from "../integration/tell/notify/receivers";
import { CORPUS_DIR } from "./corpus";
import { startImportedSite, type ImportedSite } from "./imported-site";

type Any = Record<string, any>;
const REC = JSON.parse(readFileSync(join(CORPUS_DIR, "alerts.json"), "utf8")) as Any;
const TASK = "08c654c6-cba3-5536-a3ff-8d5827d88497";

/** Values of this run that Butler's messages show, by name (none of them depends on the run's time or ids). */
const FACTS: Record<string, string> = {
  "task name": "Reload Finance – Accounts payable",
  "task id": TASK,
  "app name": "Finance – Accounts payable",
  "app id": "5dbc00bf-2f7c-5c65-99a1-d949550b68af",
  "app owner": "Joe Bloggs",
  "app owner e-mail": "joe.bloggs@corp.example",
  "app owner user": "CORP/joe",
  node: "sense2.corp.example",
  status: "FinishedFail",
  "log message": "Task finished with state FinishedFail. Max retries reached.",
  "app link": "https://my.qliksense.net/my-virtual-proxy/sense/app/5dbc00bf-2f7c-5c65-99a1-d949550b68af",
  "QMC link": "https://my.qliksense.net/qmc",
  "hub link": "https://my.qliksense.net/hub",
  "run by": "sa_scheduler",
  "app custom property": "Department",
  "task custom property": "taskGroup",
};

/** What Butler's message showed and Steward's does not: each is a row of the Outputs table in the switching guide. */
const NOT_SHOWN = {
  email: ["app owner user", "app custom property", "task custom property"],
  slack: ["task id", "app owner", "app owner e-mail", "app owner user", "hub link"],
  teams: ["app owner e-mail", "app owner user"],
};
/** Butler's New Relic attributes Steward does not send (New Relic keeps only flat string and number attributes). */
const NR_NOT_SENT = {
  event: ["qs_appCustomProperties", "qs_taskCustomProperties", "qs_appMetadata", "qs_taskMetadata"],
  log: ["qs_appCustomProperties", "qs_taskCustomProperties", "qs_appMetadata", "qs_taskMetadata", "scriptLog", "qs_exeuctionStatusText"],
};

const decode = (s: string) =>
  s
    .replace(/&amp;/g, "&")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
const notShown = (butler: string, steward: string) =>
  Object.entries(FACTS)
    .filter(([, v]) => butler.includes(v) && !steward.includes(v))
    .map(([k]) => k);
const typeOf = (x: unknown) => (x === null ? "null" : Array.isArray(x) ? "array" : typeof x);

describe("the alerts of a failed reload as Butler 16.0.4 sent them", () => {
  let site: ImportedSite;
  const at = (name: string): CapturedRequest => site.hook.requests.find((r) => r.path.split("/")[1] === name)!;

  beforeAll(async () => {
    site = await startImportedSite({ durationMs: 1500 });
    const run = site.sim.tasks.start(TASK, { outcome: "fail" });
    if (!run.started) throw new Error(`the simulator did not start ${TASK}: ${run.reason}`);
    const names = ["slack", "teams", "signl4", "newrelic-event", "newrelic-log"];
    await waitFor(() => site.smtp.mails.length >= 2 && names.every((n) => site.hook.requests.some((r) => r.path.split("/")[1] === n)), {
      what: "every alert",
      timeoutMs: 60_000,
    });
  }, 90_000);

  afterAll(async () => {
    await site?.close();
  });

  test("e-mail: one mail per recipient as Butler sent, with Butler's sender and priority; the facts Butler's body showed", () => {
    const mails = site.smtp.mails;
    expect(mails.map((m) => m.envelopeTo.join()).sort()).toEqual((REC.email as Any[]).map((m) => m.envelopeTo.join()).sort());
    for (const want of REC.email as Any[]) {
      const got = mails.find((m) => m.envelopeTo.join() === want.envelopeTo.join())!;
      expect(got.mail.from).toEqual(want.from);
      const priority = Object.fromEntries(got.mail.headers.filter((h) => h.key in want.headers).map((h) => [h.key, h.value]));
      expect(priority).toEqual(want.headers);
      // Butler's subject came from its config (a Handlebars text); Steward's names the task too.
      expect(got.mail.subject).toContain(FACTS["task name"]!);
      expect(notShown(decode(want.html), decode(got.mail.html ?? ""))).toEqual(NOT_SHOWN.email);
    }
  });

  test("Slack: Butler's username, channel and emoji; the facts Butler's blocks showed", () => {
    const want = REC.slack.body as Any;
    const got = JSON.parse(at("slack").body) as Any;
    expect({ username: got.username, channel: got.channel, icon_emoji: got.icon_emoji }).toEqual({
      username: want.username,
      channel: want.channel,
      icon_emoji: want.icon_emoji,
    });
    expect(typeOf(got.blocks)).toBe("array");
    expect(notShown(JSON.stringify(want), JSON.stringify(got))).toEqual(NOT_SHOWN.slack);
  });

  test("Teams: an adaptive card message as Butler's; the facts Butler's card showed", () => {
    const want = REC.teams.body as Any;
    const got = JSON.parse(at("teams").body) as Any;
    expect(got.type).toBe(want.type);
    expect(got.attachments.map((a: Any) => [a.contentType, a.content.type])).toEqual(want.attachments.map((a: Any) => [a.contentType, a.content.type]));
    expect(notShown(JSON.stringify(want), JSON.stringify(got).replace(/\\\\_/g, "_"))).toEqual(NOT_SHOWN.teams);
  });

  test("SIGNL4: every field Butler sent, with Butler's value (the incident's external id is the task id)", () => {
    const want = REC.signl4.body as Any;
    const got = JSON.parse(at("signl4").body) as Any;
    expect(Object.fromEntries(Object.keys(want).map((k) => [k, got[k]]))).toEqual(want);
  });

  for (const [name, dest] of [
    ["newrelic-event", "event"],
    ["newrelic-log", "log"],
  ] as const) {
    test(`New Relic ${dest}: Butler's path and headers, and each of Butler's attributes with its type but the flat-only list`, () => {
      const want = REC[name] as Any;
      const r = at(name);
      expect(r.path).toBe(want.path);
      for (const h of ["api-key", "x-my-header"]) expect(r.headers.get(h)).toBe(want.headers[h]);
      const body = JSON.parse(r.body) as [Any];
      const wantAttrs = dest === "event" ? want.body[0] : want.body[0].common.attributes;
      const gotAttrs = dest === "event" ? body[0] : body[0].common.attributes;
      expect(Object.keys(wantAttrs).filter((k) => !(k in gotAttrs))).toEqual(NR_NOT_SENT[dest]);
      // Butler's log entry held the start, stop and duration as objects (flattened by New Relic); Steward's are flat.
      const flat = new Set(["qs_executionStartTime", "qs_executionStopTime", "qs_executionDuration"]);
      const typeDiffs = Object.keys(wantAttrs).filter((k) => k in gotAttrs && !flat.has(k) && typeOf(wantAttrs[k]) !== typeOf(gotAttrs[k]));
      expect(typeDiffs).toEqual([]);
      for (const k of [
        "service",
        "environment",
        "qs_taskName",
        "qs_taskId",
        "qs_appName",
        "qs_appId",
        "qs_hostName",
        "qs_user",
        "qs_logLevel",
        "qs_logMessage",
      ])
        expect(gotAttrs[k]).toBe(wantAttrs[k]);
    });
  }
});
