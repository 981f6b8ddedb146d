// Link signatures, the snooze choices (until 08:00 tomorrow in the site's zone, across a DST change), the
// config of links and escalation (errors with file, line and key) and what `config check` says without a base URL.
import { describe, expect, test } from "bun:test";
import { actionLinksNotice, effectiveActionLinks } from "../../../../src/tell/ack-links/notice";
import { LINK_ACTIONS, signLink, verifyLink, newNonce, type LinkParams } from "../../../../src/tell/ack-links/signature";
import { snoozeChoices, tomorrowAt } from "../../../../src/tell/ack-links/snooze-choices";
import { LINK_PATH_PATTERN, linkPath, linkTargetOf } from "../../../../src/tell/ack-links/links";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configCheckCommand } from "../../../../src/show/cli/config-commands";
import { parseConfigText } from "../../../../src/composition/config";
import { createTempDir } from "../../../helpers/temp-dir";
import { AppError } from "../../../../src/platform/core/errors";

const secret = Buffer.alloc(32, 7);
const p: LinkParams = { incidentId: 42, action: "ack", recipient: "anna@corp.example", expiresAt: 1_800_000_000_000, nonce: newNonce() };

function errorOf(yaml: string): string {
  try {
    parseConfigText(yaml, "t.yaml", "/tmp");
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).message;
  }
  throw new Error("expected the config to be rejected");
}

describe("link signature", () => {
  test("verifies its own parameters and nothing else", () => {
    const s = signLink(secret, p);
    expect(verifyLink(secret, p, s)).toBe(true);
    expect(verifyLink(Buffer.alloc(32, 8), p, s)).toBe(false); // a rotated key
    for (const changed of [
      { ...p, incidentId: 43 },
      { ...p, action: LINK_ACTIONS[1] },
      { ...p, recipient: "Anna@corp.example" },
      { ...p, expiresAt: p.expiresAt + 1 },
      { ...p, nonce: newNonce() },
    ])
      expect(verifyLink(secret, changed, s)).toBe(false);
    expect(verifyLink(secret, p, `${s}x`)).toBe(false);
    expect(verifyLink(secret, p, "")).toBe(false);
  });

  test("a link naming a cause is not a link naming the incident of the same number, nor the other way round", () => {
    const cause: LinkParams = { ...p, target: "cause" };
    expect(verifyLink(secret, cause, signLink(secret, cause))).toBe(true);
    expect(verifyLink(secret, p, signLink(secret, cause))).toBe(false);
    expect(verifyLink(secret, cause, signLink(secret, p))).toBe(false);
  });

  test("a field cannot be shifted into its neighbour (the fields are separated)", () => {
    const a = { ...p, recipient: "anna@corp.example\n1" };
    const b = { ...p, recipient: "anna@corp.example", expiresAt: Number(`1${p.expiresAt}`) };
    expect(signLink(secret, a)).not.toBe(signLink(secret, b));
  });
});

describe("what a message's links name", () => {
  const failed = syntheticTaskEvent({ outcome: "failed" });
  const incident = { id: 12, status: "open" as const, failures: 1, openedAt: failed.receivedAt };
  const cause = {
    id: 4,
    title: "Qlik services down on qlik2",
    status: "open" as const,
    text: "",
    tasks: [],
    apps: [],
    streams: [],
    counts: { tasks: 0, apps: 0, streams: 0 },
    stillFailing: 0,
  };
  const stopped = syntheticServiceEvent({ state: "stopped" });

  test("the page's open cause, whatever its kind; else the task's open incident; nothing on a digest or a recovered page", () => {
    expect(linkTargetOf({ digest: false, event: { ...stopped, cause } })).toEqual({ target: "cause", id: 4 });
    expect(linkTargetOf({ digest: false, event: { ...failed, incident, cause } })).toEqual({ target: "cause", id: 4 });
    expect(linkTargetOf({ digest: false, event: { ...failed, incident } })).toEqual({ target: "incident", id: 12 });
    expect(linkTargetOf({ digest: false, event: { ...stopped, cause: { ...cause, status: "closed" } } })).toBeUndefined();
    expect(linkTargetOf({ digest: false, event: stopped })).toBeUndefined();
    expect(linkTargetOf({ digest: true, event: { ...stopped, cause } })).toBeUndefined();
  });

  test("the landing paths a browser may confirm from any origin are exactly the links' own", () => {
    for (const path of [linkPath(4, "cause"), linkPath(12), "/act/cause/1", "/act/incident/99"]) expect(LINK_PATH_PATTERN.test(path)).toBe(true);
    for (const path of ["/act/causes/1", "/act/cause/1/x", "/act/cause/", "/act/other/1", "/v4/causes/1/acknowledge"])
      expect(LINK_PATH_PATTERN.test(path)).toBe(false);
  });
});

describe("snooze choices", () => {
  test("until 08:00 tomorrow in the site's zone", () => {
    const now = Date.parse("2026-11-23T22:30:00Z"); // 23:30 in Zurich
    expect(new Date(tomorrowAt("08:00", "Europe/Zurich", now)).toISOString()).toBe("2026-11-24T07:00:00.000Z");
    const after = Date.parse("2026-11-23T23:30:00Z"); // 00:30 on the 24th in Zurich: tomorrow is the 25th
    expect(new Date(tomorrowAt("08:00", "Europe/Zurich", after)).toISOString()).toBe("2026-11-25T07:00:00.000Z");
    // The night summer time ends: 08:00 is then UTC+1.
    expect(new Date(tomorrowAt("08:00", "Europe/Zurich", Date.parse("2026-10-24T12:00:00Z"))).toISOString()).toBe("2026-10-25T07:00:00.000Z");
  });

  test("the configured durations and tomorrow", () => {
    const { config } = parseConfigText("actionLinks: { publicBaseUrl: https://s.example, snooze: [30m, 4h] }\n", "t.yaml", "/tmp");
    const now = Date.parse("2026-11-23T10:00:00Z");
    expect(snoozeChoices(config.actionLinks, "UTC", now).map((c) => [c.id, c.until - now])).toEqual([
      ["30m", 30 * 60_000],
      ["4h", 4 * 3_600_000],
      ["tomorrow", 22 * 3_600_000],
    ]);
  });
});

describe("config of links and escalation", () => {
  test("defaults: no base URL, links valid 3 days, snooze 1h and 4h or until 08:00", () => {
    const { config } = parseConfigText("", "t.yaml", "/tmp");
    expect(config.actionLinks).toEqual({ expiry: 3 * 86_400_000, snooze: [3_600_000, 4 * 3_600_000], snoozeUntil: "08:00" });
  });

  test("mistakes name file, line and key", () => {
    expect(errorOf("actionLinks: { publicBaseUrl: ftp://x }\n")).toContain("t.yaml:1:31 actionLinks.publicBaseUrl: must be an http:// or https:// URL");
    expect(errorOf('actionLinks:\n  snoozeUntil: "8 am"\n')).toContain('t.yaml:2:16 actionLinks.snoozeUntil: expected a time of day like "08:00"');
    const routes = `channels:\n  hook: { type: webhook, url: "http://x" }\nroutes:\n`;
    expect(errorOf(`${routes}  - { name: day, on: [task.failed], to: [hook], escalate: { after: 30m, to: nite } }\n`)).toContain(
      't.yaml:4:77 routes[0].escalate.to: no route named "nite" (routes: day)',
    );
    expect(errorOf(`${routes}  - { name: day, on: [task.failed], to: [hook], escalate: { after: 30m, to: day } }\n`)).toContain(
      "routes[0].escalate.to: a route cannot escalate to itself",
    );
    expect(
      errorOf(`${routes}  - { on: [task.failed], to: [hook], escalate: { after: soon, to: route-2 } }\n  - { on: [task.failed], to: [hook] }\n`),
    ).toContain("routes[0].escalate.after: expected a duration");
    // An unnamed route is route-<n>.
    parseConfigText(
      `${routes}  - { on: [task.failed], to: [hook], escalate: { after: 30m, to: route-2 } }\n  - { on: [task.failed], to: [hook] }\n`,
      "t.yaml",
      "/tmp",
    );
  });

  test("config check says when messages carry no links", () => {
    const mail = "channels:\n  mail: { type: email, smtp: { host: smtp.example }, from: s@example.com, to: [ops@example.com] }\n";
    expect(actionLinksNotice(parseConfigText(mail, "t.yaml", "/tmp").config)).toContain("neither http.publicUrl nor actionLinks.publicBaseUrl is set");
    expect(actionLinksNotice(parseConfigText(`${mail}actionLinks: { publicBaseUrl: https://s.example }\n`, "t.yaml", "/tmp").config)).toBeUndefined();
    // The address the other alert links use serves these too.
    const viaHttp = parseConfigText(`${mail}http: { publicUrl: https://steward.example }\n`, "t.yaml", "/tmp").config;
    expect(actionLinksNotice(viaHttp)).toBeUndefined();
    expect(effectiveActionLinks(viaHttp).publicBaseUrl).toBe("https://steward.example");
    expect(actionLinksNotice(parseConfigText("", "t.yaml", "/tmp").config)).toBeUndefined();
  });

  test("steward config check prints the note", () => {
    const dir = createTempDir();
    try {
      const file = join(dir.path, "steward.yaml");
      writeFileSync(file, "channels:\n  mail: { type: email, smtp: { host: smtp.example }, from: s@example.com, to: [ops@example.com] }\n");
      const out: string[] = [];
      expect(configCheckCommand(file, (l) => out.push(l))).toBe(0);
      expect(out[1]).toContain("no acknowledge or snooze links");
    } finally {
      dir.remove();
    }
  });
});
