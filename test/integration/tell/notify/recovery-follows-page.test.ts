// A recovery goes only where its page went, and after it (issue 84, point 3), whatever the store does between the
// two: one Steward on a real PostgreSQL, a webhook channel paged by a route of failures and followed up by a route
// that takes only recoveries, and a second webhook on a route that takes only recoveries and is never paged.
// - The store refuses the page's queueing (a trigger on notify_events raises: the outbox transaction fails, as it does
//   when PostgreSQL goes away mid-way): the record of who received the page must go with it, or the recovery that
//   comes next is sent for a page nobody received. The page queued again after the recovery is not sent either.
// - The page's transaction is held open (a trigger waits on a lock the test holds) while the recovery is queued: the
//   recovery waits for it, and goes after the page, never before.
// - A page held by a silence and sent when the silence ends: the record of who received it is written in the
//   transaction that makes it pending. The store refuses that record (a trigger on page_receivers) when the silence
//   ends: the page stays held, and goes at a later sweep with its record, so its recovery follows it. Before, the page
//   was sent, its record lost, and the recovery suppressed as following a page the channel did not receive.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { failedRun } from "../../../helpers/failed-runs";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "./receivers";

describe("a recovery follows only a page that was queued (PostgreSQL)", () => {
  let rx: HttpReceiver;
  let pg: PostgresService;
  let sql: postgres.Sql;
  let t: TestApp;

  beforeAll(async () => {
    rx = startHttpReceiver();
    pg = await startPostgres();
    const url = await pg.createDatabase("recovery_follows_page");
    sql = postgres(url, { max: 2, onnotice: () => {} });
    t = createTestApp(`store:
  postgres:
    url: ${url}
    instanceName: node-a
channels:
  paged: { type: webhook, url: "${rx.url}/paged" }
  quiet: { type: webhook, url: "${rx.url}/quiet" }
routes:
  - { name: pages, on: [task.failed], to: [paged] }
  - { name: recoveries, on: [task.recovered], to: [paged] }
  - { name: recoveries-only, on: [task.recovered], to: [quiet] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
    await t.app.start();
    // The store's refusals and holds, for the events the tests name (a row in fault_events).
    await sql.unsafe(`
      CREATE TABLE fault_events (id TEXT PRIMARY KEY, fault TEXT NOT NULL);
      CREATE FUNCTION fault_event() RETURNS trigger AS $$
      DECLARE f TEXT;
      BEGIN
        SELECT fault INTO f FROM fault_events WHERE id = NEW.id;
        IF f = 'refuse' THEN RAISE EXCEPTION 'the store refused event %', NEW.id; END IF;
        IF f = 'hold' THEN PERFORM pg_advisory_xact_lock(991, 1); END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql;
      CREATE TRIGGER fault_event BEFORE INSERT ON notify_events FOR EACH ROW EXECUTE FUNCTION fault_event();
      CREATE TABLE fault_receivers (condition_key TEXT PRIMARY KEY);
      CREATE FUNCTION fault_receiver() RETURNS trigger AS $$
      BEGIN
        IF NEW.channel <> '' AND EXISTS (SELECT 1 FROM fault_receivers WHERE condition_key = NEW.condition_key) THEN
          RAISE EXCEPTION 'the store refused the receivers of %', NEW.condition_key;
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql;
      CREATE TRIGGER fault_receiver BEFORE INSERT ON page_receivers FOR EACH ROW EXECUTE FUNCTION fault_receiver();
    `);
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await sql?.end();
    await rx?.stop();
    await pg?.stop();
  });

  /** What a channel received of these events (the page and its recovery): their kinds, in the order they came. */
  const received = (channel: "paged" | "quiet", events: TaskEvent[]) =>
    rx.requests
      .filter((r) => r.path === `/${channel}` && events.some((e) => r.headers.get("x-steward-delivery")?.startsWith(`${e.id}|`)))
      .map((r) => r.headers.get("x-steward-event"));
  const deliveriesOf = async (eventId: string) =>
    (
      (await (await t.request("/v4/deliveries?limit=200")).json()) as {
        deliveries: Array<{ eventId: string; channel: string; status: string; reason: string | null }>;
      }
    ).deliveries.filter((d) => d.eventId === eventId);
  const settled = (eventId: string, count: number) =>
    waitFor(
      async () => {
        const d = await deliveriesOf(eventId);
        return d.length === count && d.every((x) => x.status !== "pending" && x.status !== "sending") ? d : undefined;
      },
      { what: `the ${count} deliveries of ${eventId} settled` },
    );
  /** The task's failure (its incident opened) and its success, recorded; the success closes the incident. */
  async function failureAndSuccess(n: string): Promise<{ failed: TaskEvent; closing: TaskEvent[] }> {
    const [failed] = await t.app.incidents!.annotate(failedRun(n));
    const closing = await t.app.incidents!.annotate({
      ...syntheticTaskEvent({ outcome: "succeeded", taskName: `Load ${n}`, taskId: `task-${n}` }),
      source: "udp",
    });
    expect(closing.find((e) => e.kind === "task.recovered")?.incident?.id).toBe(failed!.incident!.id);
    return { failed: failed!, closing };
  }
  const emit = async (events: TaskEvent[]) => {
    for (const x of events) await t.app.bus.emit(x.kind, x);
  };

  test("the page's queueing fails: its recovery is sent nowhere, and the page queued after it is not sent", async () => {
    const { failed, closing } = await failureAndSuccess("refused");
    await sql`INSERT INTO fault_events (id, fault) VALUES (${failed.id}, 'refuse')`;
    // The store refuses the page: the bus's required subscriber (the outbox) fails, nothing of it is kept.
    await expect(emit([failed])).rejects.toThrow();
    await sql`DELETE FROM fault_events WHERE id = ${failed.id}`;
    await emit(closing);
    const recovered = closing.find((e) => e.kind === "task.recovered")!;
    const rows = await settled(recovered.id, 2);
    expect(rows.map((d) => `${d.channel} ${d.status}`).sort()).toEqual(["paged suppressed", "quiet suppressed"]);
    for (const d of rows) expect(d.reason).toContain("no channel received");
    // The page's queueing done again after the recovery (as the failure was first annotated): its incident is over.
    await emit([failed]);
    const pageRows = await settled(failed.id, 1);
    expect(pageRows[0]!.status).toBe("suppressed");
    expect(pageRows[0]!.reason).toContain("recovery was queued before this page");
    await Bun.sleep(300);
    expect(received("paged", [failed, ...closing])).toEqual([]);
    expect(received("quiet", [failed, ...closing])).toEqual([]);
  }, 30_000);

  test("the page's transaction still open while the recovery is queued: the recovery goes after the page, where it went", async () => {
    const { failed, closing } = await failureAndSuccess("held");
    await sql`INSERT INTO fault_events (id, fault) VALUES (${failed.id}, 'hold')`;
    // The test holds the lock the page's insert waits on, on a connection of its own.
    const holder = await sql.reserve();
    try {
      await holder`SELECT pg_advisory_lock(991, 1)`;
      const waiting = () => sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`.then((r) => r[0]!.n);
      const page = emit([failed]);
      await waitFor(async () => (await waiting()) >= 1 || undefined, { what: "the page's transaction waiting" });
      let recoveryDone = false;
      const recovery = emit(closing).then(() => void (recoveryDone = true));
      // The recovery either waits for the page (its decision is made under the same lock) or is queued meanwhile.
      await waitFor(async () => recoveryDone || (await waiting()) >= 2 || undefined, { what: "the recovery queued or waiting" });
      await holder`SELECT pg_advisory_unlock(991, 1)`;
      await Promise.all([page, recovery]);
    } finally {
      holder.release();
    }
    await sql`DELETE FROM fault_events WHERE id = ${failed.id}`;
    await waitFor(() => received("paged", [failed, ...closing]).length === 2 || undefined, { what: "the page and its recovery" });
    await Bun.sleep(300);
    expect(received("paged", [failed, ...closing])).toEqual(["task.failed", "task.recovered"]);
    expect(received("quiet", [failed, ...closing])).toEqual([]);
  }, 30_000);

  test("a page a silence held, sent when it ended: its receivers are recorded with it, and its recovery follows it", async () => {
    const created = await t.request("/v4/silences", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ matcher: { taskNames: ["Load silenced"], kinds: ["task.failed"] }, reason: "patching", duration: "1h" }),
    });
    expect(created.status).toBe(201);
    const { id: silenceId } = (await created.json()) as { id: number };
    const { failed, closing } = await failureAndSuccess("silenced");
    await emit([failed]);
    expect((await deliveriesOf(failed.id)).map((d) => `${d.channel} ${d.status}`)).toEqual(["paged suppressed"]);
    // The silence ends while the store refuses the record of who received the page.
    const key = `incident:${failed.incident!.id}`;
    await sql`INSERT INTO fault_receivers (condition_key) VALUES (${key})`;
    await t.request(`/v4/silences/${silenceId}`, { method: "DELETE" });
    const page = (await deliveriesOf(failed.id))[0]!;
    await sql`DELETE FROM fault_receivers WHERE condition_key = ${key}`;
    // Its record refused, the page was not made pending: it is still held, for the next sweep.
    expect(page.status).toBe("suppressed");
    await waitFor(() => received("paged", [failed]).length === 1 || undefined, { what: "the held page, sent at the next sweep", timeoutMs: 30_000 });
    const receivers = await sql<{ channel: string }[]>`SELECT channel FROM page_receivers WHERE condition_key = ${key} AND channel <> ''`;
    expect(receivers.map((r) => r.channel)).toEqual(["paged"]);
    await emit(closing);
    await waitFor(() => received("paged", [failed, ...closing]).length === 2 || undefined, { what: "the recovery" });
    expect(received("paged", [failed, ...closing])).toEqual(["task.failed", "task.recovered"]);
  }, 60_000);

  test("the usual: the page, then its recovery on the route that takes only recoveries; nothing on the one never paged", async () => {
    const [failed] = await t.app.incidents!.annotate(failedRun("usual"));
    await emit([failed!]);
    await waitFor(() => received("paged", [failed!]).length === 1 || undefined, { what: "the page" });
    const closing = await t.app.incidents!.annotate({
      ...syntheticTaskEvent({ outcome: "succeeded", taskName: "Load usual", taskId: "task-usual" }),
      source: "udp",
    });
    await emit(closing);
    await waitFor(() => received("paged", [failed!, ...closing]).length === 2 || undefined, { what: "the recovery" });
    const recovered = closing.find((e) => e.kind === "task.recovered")!;
    const quiet = (await settled(recovered.id, 2)).find((d) => d.channel === "quiet")!;
    expect(quiet.status).toBe("suppressed");
    expect(quiet.reason).toContain("did not receive");
    expect(received("paged", [failed!, ...closing])).toEqual(["task.failed", "task.recovered"]);
    expect(received("quiet", [failed!, ...closing])).toEqual([]);
  }, 30_000);
});
