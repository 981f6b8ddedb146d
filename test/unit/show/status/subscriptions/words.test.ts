// What the business is told of a freshness event, and what not: a certain warning and a breach say "late" in its
// words (no task, job, promise name or scope), an uncertain warning says nothing, a recovery says "fresh again"; the
// keys make the warning and the breach of one episode one notice. And the Atom feed's required elements (RFC 4287).
import { expect, test } from "bun:test";
import { atomFeed } from "../../../../../src/show/status/subscriptions/feed";
import { domainAllowed } from "../../../../../src/show/status/subscriptions/service";
import { noticeOf } from "../../../../../src/show/status/subscriptions/words";
import { syntheticFreshnessEvent } from "../../../../../src/watch/freshness/samples";

const NOW = Date.parse("2026-11-24T06:20:00Z"); // 07:20 in Oslo

test("late (a breach, or a warning once the breach is certain), fresh again; an uncertain warning says nothing", () => {
  const breach = syntheticFreshnessEvent("app.freshness_breached", { nowMs: NOW });
  const late = noticeOf(breach, "Europe/Oslo", NOW)!;
  expect(late).toMatchObject({ word: "late", promise: "sales-morning", appName: "Sales dashboard", title: "Sales dashboard is late today" });
  expect(late.text).toBe("Sales dashboard is late today (expected by 07:10 Europe/Oslo, when it will be ready is not known yet).");
  expect(late.text).not.toMatch(/erp-extract|Reload|sales-morning|scope/);

  const withExpected = { ...breach, data: { ...breach.data, expectedAt: "2026-11-24T07:10:00.000Z" } };
  expect(noticeOf(withExpected, "Europe/Oslo", NOW)!.text).toBe("Sales dashboard is late today (expected by 07:10 Europe/Oslo, now likely 08:10).");

  const warning = syntheticFreshnessEvent("app.freshness_warning", { nowMs: NOW });
  const { atRisk: _none, ...uncertain } = warning.data;
  expect(noticeOf({ ...warning, data: uncertain }, "Europe/Oslo", NOW)).toBeUndefined();
  const certain = noticeOf({ ...warning, data: { ...warning.data, atRisk: "the data it is loaded from has not arrived yet" } }, "Europe/Oslo", NOW)!;
  expect(certain.title).toBe("Sales dashboard will be late today");
  expect(certain.text).toBe("Sales dashboard will be late today (expected by 07:50 Europe/Oslo, when it will be ready is not known yet).");

  const recovered = syntheticFreshnessEvent("app.freshness_recovered", { nowMs: NOW });
  const fresh = noticeOf(recovered, "Europe/Oslo", NOW)!;
  expect(fresh).toMatchObject({
    word: "fresh",
    title: "Sales dashboard is fresh again (data as of 07:19)",
    text: "Sales dashboard is fresh again (data as of 07:19).",
  });
  // The recovery of the breach's episode names the breach's notice as the one it follows.
  expect(fresh.lateKey).toBe(late.key);

  // Issue 102: the reload that brought the data, and what it came after, without a task's or job's name.
  const through = { ...recovered, data: { ...recovered.data, freshFrom: "2026-11-24T06:19:00.000Z", freshAfter: "chain" } };
  expect(noticeOf(through, "Europe/Oslo", NOW)!.text).toBe(
    "Sales dashboard is fresh again (data as of 07:19): it was reloaded at 07:19, after the loads it depends on ran.",
  );
  const delivered = { ...recovered, data: { ...recovered.data, freshFrom: "2026-11-24T06:19:00.000Z", freshAfter: "checkin" } };
  expect(noticeOf(delivered, "Europe/Oslo", NOW)!.text).toBe(
    "Sales dashboard is fresh again (data as of 07:19): it was reloaded at 07:19, after its data arrived.",
  );
});

test("'now likely' is never a time already past nor the next day's run (issue 102)", () => {
  const breach = syntheticFreshnessEvent("app.freshness_breached", { nowMs: NOW });
  const late = (nowMs: number, expectedAt: string) => noticeOf({ ...breach, data: { ...breach.data, expectedAt } }, "Europe/Oslo", nowMs)!.text;
  // Sent at 20:16:41 with the reload expected then: 20:17, not 20:16.
  const evening = Date.parse("2026-11-24T19:16:41Z");
  expect(late(evening, "2026-11-24T19:16:41.000Z")).toContain("now likely 20:17)");
  expect(late(evening, "2026-11-24T19:10:00.000Z")).toContain("now likely 20:17)");
  // The next morning's scheduled run is no time for today's deadline: not stated.
  expect(late(NOW, "2026-11-25T05:40:00.000Z")).toBe("Sales dashboard is late today (expected by 07:10 Europe/Oslo, when it will be ready is not known yet).");
});

test("a deadline on another day names the day; a 'never older than' promise says older than promised", () => {
  const breach = syntheticFreshnessEvent("app.freshness_breached", { nowMs: NOW });
  const tomorrow = NOW + 86_400_000;
  expect(noticeOf(breach, "Europe/Oslo", tomorrow)!.text).toBe(
    "Sales dashboard is late (expected by Tue 24 Nov 07:10 Europe/Oslo, when it will be ready is not known yet).",
  );
  const aged = { ...breach, data: { ...breach.data, maxAgeMs: 2 * 3_600_000, dataAsOf: "2026-11-24T03:00:00.000Z" } };
  expect(noticeOf(aged, "Europe/Oslo", NOW)!.text).toBe(
    "Sales dashboard is older than promised (never older than 2 h; data as of 04:00; when it will be ready is not known yet).",
  );
});

test("allowed domains: the part after the last @, any case; no subdomain", () => {
  expect(domainAllowed("anna@corp.example", ["corp.example"])).toBe(true);
  expect(domainAllowed("Anna@CORP.example", ["corp.example"])).toBe(true);
  expect(domainAllowed("anna@mail.corp.example", ["corp.example"])).toBe(false);
  expect(domainAllowed('"x@corp.example"@evil.example', ["corp.example"])).toBe(false);
});

test("the Atom feed has the elements RFC 4287 requires, escaped text, newest first", () => {
  const notices = [
    {
      id: 2,
      key: "k2",
      word: "fresh" as const,
      promise: "p",
      appId: "a",
      appName: "R&D <beta>",
      title: "R&D <beta> is fresh again",
      text: "R&D <beta> is fresh again.",
      at: NOW,
    },
    {
      id: 1,
      key: "k1",
      word: "late" as const,
      promise: "p",
      appId: "a",
      appName: "R&D <beta>",
      title: "R&D <beta> is late today",
      text: "x",
      at: NOW - 3_600_000,
    },
  ];
  const xml = atomFeed({ selfUrl: "https://s.example/status/feed.atom?a=1&b=2", statusUrl: "https://s.example/status", scope: "|", notices, nowMs: NOW + 5 });
  expect(xml).toStartWith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">');
  expect(xml).toContain(`<updated>${new Date(NOW).toISOString()}</updated>`);
  expect(xml).toContain("<author><name>Steward</name></author>");
  expect(xml).toContain('href="https://s.example/status/feed.atom?a=1&amp;b=2"');
  expect(xml).toContain("<title>R&amp;D &lt;beta&gt; is fresh again</title>");
  expect(xml.indexOf("fresh again</title>")).toBeLessThan(xml.indexOf("late today</title>"));
  const ids = [...xml.matchAll(/<id>([^<]+)<\/id>/g)].map((m) => m[1]!);
  expect(ids).toHaveLength(3);
  for (const id of ids) expect(id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(new Set(ids).size).toBe(3);
  // An empty feed still has its id, title, updated and author.
  const empty = atomFeed({ selfUrl: "s", statusUrl: "t", scope: "|", notices: [], nowMs: NOW });
  for (const el of ["<id>", "<title>", `<updated>${new Date(NOW).toISOString()}</updated>`, "<author>"]) expect(empty).toContain(el);
});
