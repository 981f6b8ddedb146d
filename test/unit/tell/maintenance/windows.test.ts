// Maintenance windows from the config: a recurring window in a time zone (across a daylight-saving change), a
// one-off window, node and matcher scopes, and config errors naming the key.
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { MaintenanceWindowSchema } from "../../../../src/tell/maintenance/config";
import { compileWindow } from "../../../../src/tell/maintenance/windows";
import { buildSummary } from "../../../../src/tell/maintenance/summary";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";

const at = (iso: string) => Date.parse(iso);

describe("recurring windows", () => {
  const w = compileWindow(
    MaintenanceWindowSchema.parse({ name: "sunday", rrule: "FREQ=WEEKLY;BYDAY=SU;BYHOUR=22;BYMINUTE=0", duration: "8h", timeZone: "Europe/Stockholm" }),
  );

  test("active from Sunday 22:00 local for 8 hours, in winter and in summer time", () => {
    // 2026-11-22 is a Sunday; Stockholm is UTC+1 in November.
    expect(w.activeAt(at("2026-11-22T20:59:00Z"))).toBeUndefined();
    expect(w.activeAt(at("2026-11-22T21:00:00Z"))).toMatchObject({
      window: "sunday",
      startsAt: at("2026-11-22T21:00:00Z"),
      endsAt: at("2026-11-23T05:00:00Z"),
    });
    expect(w.activeAt(at("2026-11-23T04:59:59Z"))?.startsAt).toBe(at("2026-11-22T21:00:00Z"));
    expect(w.activeAt(at("2026-11-23T05:00:00Z"))).toBeUndefined();
    // 2026-06-07 is a Sunday; UTC+2 in summer: 22:00 local is 20:00Z.
    expect(w.activeAt(at("2026-06-07T20:30:00Z"))?.startsAt).toBe(at("2026-06-07T20:00:00Z"));
    expect(w.nextAfter(at("2026-11-23T06:00:00Z"))?.startsAt).toBe(at("2026-11-29T21:00:00Z"));
    expect(w.scope).toBe("the whole site");
  });
});

describe("one-off windows and scopes", () => {
  test("a one-off window covers its nodes only, or what its matcher matches", () => {
    const w = compileWindow(
      MaintenanceWindowSchema.parse({ name: "patch-qlik2", start: "2026-12-06T22:00:00+01:00", end: "2026-12-07T02:00:00+01:00", nodes: ["qlik2"] }),
    );
    expect(w.activeAt(at("2026-12-06T21:00:00Z"))?.endsAt).toBe(at("2026-12-07T01:00:00Z"));
    expect(w.activeAt(at("2026-12-07T01:00:00Z"))).toBeUndefined();
    expect(w.nextAfter(at("2026-12-01T00:00:00Z"))?.window).toBe("patch-qlik2");
    expect(w.covers(syntheticServiceEvent({ state: "stopped", host: "qlik2.corp.example" }))).toBe(true);
    expect(w.covers(syntheticServiceEvent({ state: "stopped", host: "qlik1.corp.example" }))).toBe(false);
    const m = compileWindow(
      MaintenanceWindowSchema.parse({ name: "dw", start: "2026-12-06T22:00:00Z", end: "2026-12-07T02:00:00Z", matcher: { tags: ["DW"] } }),
    );
    const tagged = syntheticTaskEvent({ outcome: "failed" });
    tagged.task = { ...tagged.task, tags: ["dw"] };
    expect(m.covers(tagged)).toBe(true);
    expect(m.covers(syntheticTaskEvent({ outcome: "failed" }))).toBe(false);
    expect(m.scope).toBe("tags DW");
  });
});

describe("config errors name the key", () => {
  const err = (windows: string) => {
    try {
      parseConfigText(`maintenance:\n  windows:\n${windows}`, "steward.yaml", "/tmp");
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  };
  test("a bad rule, an unknown zone, both kinds at once, an end before the start, two windows of one name", () => {
    expect(err('    - { name: a, rrule: "FREQ=SOMETIMES", duration: 1h }\n')).toContain("maintenance.windows[0].rrule");
    expect(err('    - { name: a, rrule: "FREQ=DAILY", duration: 1h, timeZone: Mars/Olympus }\n')).toContain("maintenance.windows[0].timeZone");
    expect(err('    - { name: a, rrule: "FREQ=DAILY", duration: 1h, start: "2026-01-01T00:00:00Z", end: "2026-01-02T00:00:00Z" }\n')).toContain(
      "give either start and end (one-off) or rrule and duration",
    );
    expect(err('    - { name: a, start: "2026-01-02T00:00:00Z", end: "2026-01-01T00:00:00Z" }\n')).toContain("maintenance.windows[0].end");
    expect(
      err(
        '    - { name: a, start: "2026-01-01T00:00:00Z", end: "2026-01-02T00:00:00Z" }\n    - { name: A, start: "2026-01-01T00:00:00Z", end: "2026-01-02T00:00:00Z" }\n',
      ),
    ).toContain("maintenance.windows[1].name");
  });
});

describe("summaries", () => {
  test("what was held by kind, what ended inside, what is still open", () => {
    const o = { window: "sunday", startsAt: at("2026-11-22T21:00:00Z"), endsAt: at("2026-11-23T05:00:00Z"), scope: "the whole site", summarizedAt: null };
    const ev = (id: string, kind: string, title: string, key: string | null, role: "opens" | "closes" | null, held = true) => ({
      eventId: id,
      kind,
      title,
      conditionKey: key,
      conditionRole: role,
      held,
      at: 0,
    });
    const s = buildSummary(
      o,
      [
        ev("1", "task.failed", "Sales load", "task:1", "opens"),
        ev("2", "task.missed", "HR load", "watch:m2", "opens"),
        ev("3", "task.on_track", "HR load", "watch:m2", "closes", false),
        ev("4", "task.failed", "Sales load", "task:1", "opens"),
      ],
      { host: "sense1", timeZone: "Europe/Stockholm", reason: "patching", now: o.endsAt },
    );
    expect(s.id).toBe(`maintenance:sunday:${o.startsAt}`);
    expect(s.title).toBe("Maintenance window sunday ended: 3 alerts held, 1 still open");
    expect(s.summary).toBe(
      "From 2026-11-22 22:00 CET to 2026-11-23 06:00 CET, 3 alerts were held: 2 task.failed, 1 task.missed. Still open at its end: Sales load (task.failed).",
    );
    expect(s.facts.find((f) => f.name === "Ended inside")?.value).toBe("1");
    // The facts say the times as the sentence does (the message format), the zone's name once each.
    expect(s.facts.filter((f) => f.name === "From" || f.name === "To").map((f) => f.value)).toEqual(["2026-11-22 22:00 CET", "2026-11-23 06:00 CET"]);
    const quiet = buildSummary(o, [], { host: "sense1", timeZone: "UTC", now: o.endsAt });
    expect(quiet.title).toBe("Maintenance window sunday ended: 0 alerts held");
    expect(quiet.summary).toBe("From 2026-11-22 21:00 UTC to 2026-11-23 05:00 UTC, no alert was held.");
  });
});

describe("a recurring window's rule too costly to follow", () => {
  // Every second counts 86,400 times a day: over one search's step budget (src/platform/core/rrule.ts). The search throws,
  // and the delivery gate that asks whether the window is active threw with it, so every alert the window covers
  // failed on its way to the outbox (and the run behind it was never announced).
  const everySecond = `FREQ=MINUTELY;BYSECOND=${Array.from({ length: 60 }, (_, i) => i).join(",")}`;

  test("is refused by the config check, naming the rule's key", () => {
    const r = MaintenanceWindowSchema.safeParse({ name: "hostile", rrule: everySecond, duration: "1m" });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join("."), i.message.replace(/\d+ steps/, "N steps")])).toEqual([
      [
        "rrule",
        "working out its next occurrence takes more than N steps (a rule firing very often, or COUNT counted from long ago); Steward cannot follow it: describe the window's real starts",
      ],
    ]);
  });

  test("a window compiled in code anyway is not applied, rather than failing the alerts it covers", () => {
    const w = compileWindow({ ...MaintenanceWindowSchema.parse({ name: "ok", rrule: "FREQ=DAILY", duration: "1m" }), rrule: everySecond });
    expect(w.activeAt(at("2026-11-23T10:00:00Z"))).toBeUndefined();
    expect(w.nextAfter(at("2026-11-23T10:00:00Z"))).toBeUndefined();
  });
});
