// Rows that leave a field out (issue 66): a trigger without startDate, incrementDescription or enabled is watched by
// the next time QRS states (QRS's own clock first) rather than listed "not watched"; a task row without a
// customProperties key has none, without a problem line. The fields are those of Qlik's QRS API reference
// (SchemaEvent: enabled, incrementOption, incrementDescription, startDate, operational.nextExecution;
// https://help.qlik.com/en-US/sense-developer/APIs/RepositoryServiceAPI/index.html?page=1862). The trigger rows are
// the shape of the Telemetry Dashboard script's schemaevent (levi-turner/QlikSenseScripts:
// qs-cli/qs-cli-schedule_telemetry_metadata_fetch.ps1) with one field taken out.
import { describe, expect, test } from "bun:test";
import { buildPlan } from "../../../../src/watch/watchdog/qrs-plan";
import { nextExpectedStart, watchOf } from "../../../../src/watch/watchdog/schedule";

const TASK = "1a2b3c4d-0001-4a00-8000-000000000001";
const NOW = Date.parse("2018-10-25T13:06:26.078Z");
const QRS_NEXT = "2018-10-25T13:30:26Z";

const trigger = (drop: string[], nextExecution: string | null = QRS_NEXT) => {
  const row: Record<string, unknown> = {
    id: "5e1d9c1e-0000-4000-8000-00000000000a",
    name: "Reload fetchmetadata.js",
    enabled: true,
    eventType: 0,
    timeZone: "America/New_York",
    daylightSavingTime: 0,
    startDate: "2018-10-25T13:30:26Z",
    expirationDate: "9999-12-31T00:00:00",
    schemaFilterDescription: ["* * - * * * * *"],
    incrementDescription: "0 0 1 0",
    incrementOption: 2,
    operational: { lastEventDate: "1753-01-01T00:00:00Z", nextExecution, timesTriggered: 0 },
    externalProgramTask: { id: TASK, name: "TelemetryDashboard-1-Generate-Metadata" },
  };
  for (const k of drop) delete row[k];
  return row;
};
const task = (extra: Record<string, unknown> = {}) => ({ id: TASK, name: "TelemetryDashboard-1-Generate-Metadata", enabled: true, ...extra });

function plan(triggerRow: Record<string, unknown>, taskRow = task({ customProperties: [] })) {
  const p = buildPlan({ taskLists: [[], [taskRow], []], schemaEvents: [triggerRow], compositeEvents: [], appRows: [] }, NOW);
  return { problems: p.problems, task: p.tasks.get(TASK) };
}

describe("a trigger row missing a field QRS's time does not need", () => {
  for (const field of ["incrementDescription", "startDate", "incrementOption"]) {
    test(`without ${field}: watched at QRS's nextExecution, the reason listed`, () => {
      const { problems, task: t } = plan(trigger([field]));
      expect(t?.schedules).toHaveLength(1);
      const tr = t!.schedules[0]!;
      expect(watchOf(tr)).toBe("qrs");
      expect(nextExpectedStart(tr, NOW)).toBe(Date.parse(QRS_NEXT));
      expect(problems).toEqual([
        `task "TelemetryDashboard-1-Generate-Metadata": trigger "Reload fetchmetadata.js": Steward cannot read it (the row has no ${field}); its starts are expected at the times QRS states`,
      ]);
      expect(problems.join("\n")).not.toContain("not watched");
    });
  }

  test("without enabled: read as enabled, Steward's reading cross-checked with QRS's time (they agree: silent)", () => {
    const { problems, task: t } = plan(trigger(["enabled"]));
    expect(problems).toEqual([]);
    expect(watchOf(t!.schedules[0]!)).toBe("arithmetic");
    expect(nextExpectedStart(t!.schedules[0]!, NOW)).toBe(Date.parse(QRS_NEXT));
  });

  test("without enabled and with no time from QRS: listed as not watched, never skipped silently", () => {
    const { problems, task: t } = plan(trigger(["enabled"], null));
    expect(watchOf(t!.schedules[0]!)).toBe("not-watched");
    expect(problems).toEqual([
      `task "TelemetryDashboard-1-Generate-Metadata": trigger "Reload fetchmetadata.js": Steward cannot read it (the row has no enabled flag) and QRS states no next execution: this trigger is not watched`,
    ]);
  });

  test("without incrementDescription and with no time from QRS: not watched, and says so", () => {
    const { problems, task: t } = plan(trigger(["incrementDescription"], null));
    expect(watchOf(t!.schedules[0]!)).toBe("not-watched");
    expect(problems[0]).toContain("the row has no incrementDescription) and QRS states no next execution: this trigger is not watched");
  });
});

describe("a task row without a customProperties key", () => {
  test("is a task with no custom properties, and no problem line", () => {
    const { problems, task: t } = plan(trigger([]), task());
    expect(problems).toEqual([]);
    expect(t?.customProperties).toEqual([]);
    expect(t?.overrides).toEqual({});
    expect(t?.schedules).toHaveLength(1);
  });
});
