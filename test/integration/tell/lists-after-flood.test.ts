// Issue 75, E8: every list whose rows carry text a datagram wrote pages by bytes. After a flood of 500 forged failures
// with 16 KB names, /v4/deliveries, /v4/incidents and /v4/audit at their largest `limit` each answer about 1 MiB at
// most, their texts cut, and their cursors page through every row once; /v4/incidents/by-cause and /ui/incidents
// answer within the same budget and count the incidents they left out.
import { afterEach, expect, test } from "bun:test";
import { forgedFailureDatagram } from "../../../scripts/forged-datagrams";
import { ANSWER_BUDGET_BYTES, LIST_TEXT_CHARS } from "../../../src/platform/http/answer-budget";
import { createTestApp, type TestApp } from "../../helpers/app";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const FORGER = { address: "127.0.0.3", port: 40_000 };
/** Forged failures of as many tasks: more open incidents than 1 MiB of the by-cause list holds (about 2.5 KB each, cut). */
const FAILURES = 500;

/** Reads a list page by page (at most 100 pages); each answer's size and longest string are checked. */
async function pageThrough(first: string, items: string, next: (body: Record<string, unknown>) => string | undefined): Promise<unknown[]> {
  const rows: unknown[] = [];
  let path: string | undefined = first;
  for (let pages = 0; path && pages < 100; pages++) {
    const res = await t!.request(path);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(ANSWER_BUDGET_BYTES + 1_024);
    expect(Math.max(0, ...[...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.length))).toBeLessThanOrEqual(LIST_TEXT_CHARS + 20);
    const body = JSON.parse(text) as Record<string, unknown>;
    rows.push(...(body[items] as unknown[]));
    path = next(body);
  }
  return rows;
}

test("after a flood of 16 KB names, deliveries, incidents (also by cause) and the audit log answer within about 1 MiB and page through everything", {
  timeout: 120_000,
}, async () => {
  t = createTestApp(
    'channels:\n  hook: { type: webhook, url: "http://127.0.0.1:9/hook" }\nroutes:\n  - { on: [task.failed], to: [hook] }\nintake:\n  queueSize: 1000\n',
  );
  await t.app.start();
  const before = t.app.intake.counters.emitted.get({ kind: "task.failed", source: "udp" });
  for (let i = 0; i < FAILURES; i++) t.app.intake.handleDatagram(forgedFailureDatagram(i, 9), FORGER);
  for (let i = 0; i < 3000 && t.app.intake.counters.emitted.get({ kind: "task.failed", source: "udp" }) - before < FAILURES; i++) await Bun.sleep(20);
  await t.app.intake.settled();
  for (let i = 0; i < 300; i++)
    t.app.audit.record({ actor: { kind: "anonymous", name: "x" }, action: "kv.set", target: `t${i}`, result: "ok", details: { value: "v".repeat(16_000) } });

  const sql = t.app.store.sql;
  const count = async (table: string) => Number((await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n);

  const deliveries = await pageThrough("/v4/deliveries?limit=1000", "deliveries", (b) =>
    b.nextBefore ? `/v4/deliveries?limit=1000&before=${b.nextBefore}` : undefined,
  );
  expect(deliveries.length).toBe(await count("notify_deliveries"));
  expect(deliveries.length).toBeGreaterThan(100);
  expect(new Set(deliveries.map((d) => (d as { id: number }).id)).size).toBe(deliveries.length);

  const incidents = await pageThrough("/v4/incidents?limit=1000", "incidents", (b) => (b.next ? `/v4/incidents?limit=1000&after=${b.next}` : undefined));
  expect(incidents.length).toBe(await count("incidents"));
  expect(incidents.length).toBeGreaterThan(100);

  // The open incidents by cause (the dashboard's Incidents page) have no cursor: past the budget they say how many
  // they left out, and /v4/incidents pages through those.
  const byCause = await pageThrough("/v4/incidents/by-cause?limit=1000", "causes", () => undefined);
  const last = (await (await t.request("/v4/incidents/by-cause?limit=1000")).json()) as { truncated: boolean; omitted: number };
  const shown = (byCause as Array<{ incidents: unknown[] }>).reduce((n, g) => n + g.incidents.length, 0);
  expect(last.truncated).toBe(true);
  expect(shown).toBeGreaterThan(0);
  expect(shown + last.omitted).toBe(Number((await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM incidents WHERE status = 'open'"))?.n));
  const page = await t.request("/ui/incidents");
  const html = await page.text();
  expect(Buffer.byteLength(html)).toBeLessThan(2 * ANSWER_BUDGET_BYTES);
  expect(html).toContain("open incidents are not shown");

  const audit = await pageThrough("/v4/audit?limit=1000", "entries", (b) => (b.nextBefore ? `/v4/audit?limit=1000&before=${b.nextBefore}` : undefined));
  expect(audit.length).toBe(await count("audit"));
});
