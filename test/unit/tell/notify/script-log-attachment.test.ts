// The script log attached to a failure mail: the whole log when the event has it; a capped log says first that its
// beginning is left out; without the text, every line the event kept with a marker for each gap.
import { describe, expect, test } from "bun:test";
import { scriptLogExcerpt } from "../../../../src/hear/events/enrich-mappers";
import { scriptLogAttachment } from "../../../../src/tell/notify/channels/email/message";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";

const LOG = Array.from({ length: 200 }, (_, i) => (i === 99 ? "      Error: Connector reply error: SQL##f" : `0007  LOAD x${i + 1};`));

function attached(maxTextBytes: number): string {
  const e = syntheticTaskEvent({ outcome: "failed" });
  e.scriptLog = scriptLogExcerpt(`${LOG.join("\r\n")}\r\n`, 20, 40, maxTextBytes);
  return String(scriptLogAttachment(e)!.content);
}

describe("script log attachment", () => {
  test("the whole log", () => {
    expect(attached(1024 * 1024)).toBe(`${LOG.join("\r\n")}\r\n`);
  });

  test("a capped log starts at a whole line and says which lines are left out", () => {
    const lines = attached(500).split("\r\n");
    expect(lines[0]).toMatch(/^… lines 1–(\d+) omitted: the log has \d+ bytes, Steward keeps its end …$/);
    const first = Number(/1–(\d+)/.exec(lines[0]!)![1]) + 1;
    expect(lines[1]).toBe(LOG[first - 1]!);
    expect(lines.at(-2)).toBe(LOG.at(-1)!);
  });

  test("without the text: the kept lines in order, the failure among them, every gap marked", () => {
    const lines = attached(0).split("\r\n");
    expect(lines.slice(0, 20)).toEqual(LOG.slice(0, 20));
    expect(lines[20]).toBe("… 76 lines omitted (lines 21–96) …");
    expect(lines.slice(21, 26)).toEqual(LOG.slice(96, 101));
    expect(lines[26]).toBe("… 59 lines omitted (lines 102–160) …");
    expect(lines.slice(27)).toEqual(LOG.slice(160));
  });
});
