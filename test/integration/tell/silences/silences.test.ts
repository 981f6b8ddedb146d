// Silences end to end, on one Steward with its SQLite file and on two Stewards sharing PostgreSQL: a covered alert
// is recorded as suppressed and held (visible through either Steward), a condition that ends while silenced is not
// sent, the latest alert of a lasting condition is sent once when the silence is ended by hand or expires (whichever
// Steward sweeps), a restart keeps held alerts, and creation and ending are audited.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { HoldView, SilenceView } from "../../../../src/tell/silences";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHttpReceiver, type HttpReceiver } from "../notify/receivers";
import { wallLimit } from "../../../helpers/time-limit";

const json = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

interface Pair {
  /** The Steward events are emitted on. */
  a: TestApp;
  /** The one REST calls go to (the same one on SQLite). */
  b: TestApp;
  restartA(): Promise<void>;
}

function channels(rx: HttpReceiver) {
  return `channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [task.failed, task.succeeded, task.recovered], to: [hook], renotify: every }
`;
}

const taskNamesSent = (rx: HttpReceiver) =>
  rx.requests.map((r) => {
    const b = JSON.parse(r.body) as { kind: string; taskName: string };
    return `${b.kind} ${b.taskName}`;
  });

async function fail(t: TestApp, name: string, outcome: "failed" | "succeeded" = "failed") {
  const e = syntheticTaskEvent({ outcome, taskName: name, taskId: `id-${name.replace(/\W/g, "")}` });
  await t.app.bus.emit(e.kind, e);
  return e;
}

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`silences on ${backend}`, () => {
    let rx: HttpReceiver;
    let pg: PostgresService | undefined;
    let dirA: TempDir;
    let pair: Pair;
    const apps: TestApp[] = [];

    beforeAll(async () => {
      rx = startHttpReceiver();
      dirA = createTempDir();
      let storeYaml = "";
      if (backend === "postgres") {
        pg = await startPostgres();
        const url = await pg.createDatabase("silences");
        storeYaml = `store:\n  postgres:\n    url: ${url}\n    leaseTtlMs: 2000\n    heartbeatIntervalMs: 300\n`;
      }
      const make = async (name: string, dir?: string) => {
        const yaml = storeYaml.replace("leaseTtlMs", `instanceName: ${name}\n    leaseTtlMs`) + channels(rx);
        const t = createTestApp(yaml, dir ? { dir } : {});
        apps.push(t);
        await t.app.start();
        return t;
      };
      const a = await make("node-a", dirA.path);
      const b = backend === "postgres" ? await make("node-b") : a;
      pair = {
        a,
        b,
        async restartA() {
          await pair.a.app.stop();
          pair.a = await make("node-a", dirA.path);
          if (backend === "sqlite") pair.b = pair.a;
        },
      };
    });
    /** Each Steward's next release sweep, run now (its timer runs one every 5 s), and the time for a send it queued. */
    const sweepBoth = async () => {
      for (const t of new Set([pair.a, pair.b])) await t.app.alertGates.silences.releaser.sweep();
      await Bun.sleep(300);
    };
    afterAll(async () => {
      for (const t of apps.reverse()) await t.close().catch(() => {});
      dirA.remove();
      await rx.stop();
      await pg?.stop();
    });

    test("bad input is refused naming the field", async () => {
      const empty = await pair.b.request("/v4/silences", json({ matcher: {}, reason: "x", duration: "1h" }));
      expect(empty.status).toBe(400);
      expect(JSON.stringify(await empty.json())).toContain("matcher");
      const both = await pair.b.request("/v4/silences", json({ matcher: { kinds: ["*"] }, reason: "x", duration: "1h", endsAt: "2099-01-01T00:00:00Z" }));
      expect(both.status).toBe(400);
      expect(JSON.stringify(await both.json())).toContain("endsAt");
      const long = await pair.b.request("/v4/silences", json({ matcher: { kinds: ["*"] }, reason: "x", duration: "200d" }));
      expect(long.status).toBe(400);
      expect(((await long.json()) as { error: string }).error).toContain("90 days");
      const extra = await pair.b.request("/v4/silences", json({ matcher: { task: "x" }, reason: "x", duration: "1h" }));
      expect(extra.status).toBe(400);
      expect((await pair.b.request("/v4/silences/999")).status).toBe(404);
    });

    test("covered alerts are held and visible, a condition that ended is not sent, the latest of a lasting one is sent once when ended", async () => {
      const created = await pair.b.request(
        "/v4/silences",
        json({ matcher: { taskNames: ["Sales*"] }, reason: "DW patching", author: "alice@corp.example", duration: "1h" }),
      );
      expect(created.status).toBe(201);
      const silence = (await created.json()) as SilenceView;
      expect(silence).toMatchObject({ state: "active", author: "alice@corp.example", matches: "task names Sales*" });

      await fail(pair.a, "Sales load");
      await fail(pair.a, "Sales extract");
      await fail(pair.a, "Sales extract", "succeeded"); // its condition ends while silenced
      await fail(pair.a, "Sales load"); // the latest alert of a condition that lasts
      await fail(pair.a, "HR load");
      await waitFor(() => rx.requests.length >= 1, { what: "the alert no silence covers" });
      await Bun.sleep(300);
      expect(taskNamesSent(rx)).toEqual(["task.failed HR load"]);

      const deliveries = (await (await pair.b.request("/v4/deliveries?status=suppressed&limit=50")).json()) as {
        deliveries: Array<{ reason: string; eventTitle: string }>;
      };
      expect(deliveries.deliveries).toHaveLength(4);
      for (const d of deliveries.deliveries) expect(d.reason).toContain(`silence #${silence.id}`);
      const one = (await (await pair.b.request(`/v4/silences/${silence.id}`)).json()) as SilenceView & { suppressed: HoldView[] };
      expect(one.held).toEqual({ held: 2, closed: 1 });
      expect(one.suppressed.map((h) => `${h.state} ${h.title}`).sort()).toEqual(["closed Sales extract", "held Sales load", "held Sales load"]);

      const ended = await pair.b.request(`/v4/silences/${silence.id}`, { method: "DELETE" });
      expect(ended.status).toBe(200);
      expect(((await ended.json()) as SilenceView).state).toBe("ended");
      await waitFor(() => rx.requests.length >= 2, { what: "the held alert, sent when the silence ended" });
      await sweepBoth(); // a second send (the older alert, or the other Steward) would come now
      expect(taskNamesSent(rx)).toEqual(["task.failed HR load", "task.failed Sales load"]);
      const after = (await (await pair.b.request(`/v4/silences/${silence.id}`)).json()) as SilenceView;
      expect(after.held).toEqual({ sent: 1, superseded: 1, closed: 1 });
      expect((await pair.b.request(`/v4/silences/${silence.id}`, { method: "DELETE" })).status).toBe(409);

      const audit = (await (await pair.b.request("/v4/audit?action=api.write&limit=50")).json()) as {
        entries: Array<{ details: { op?: string; object?: string } }>;
      };
      const ops = audit.entries.map((e) => `${e.details.op} ${e.details.object}`);
      expect(ops).toContain(`silence.create ${silence.id}`);
      expect(ops).toContain(`silence.end ${silence.id}`);
    });

    test("a silence that expires sends what it held once, after a restart of the Steward that held it", async () => {
      rx.requests.length = 0;
      const created = await pair.b.request(
        "/v4/silences",
        json({ matcher: { taskNames: ["Night*"], kinds: ["task.failed"] }, reason: "patch", duration: "4s" }),
      );
      const silence = (await created.json()) as SilenceView;
      await fail(pair.a, "Night load");
      await waitFor(async () => ((await (await pair.b.request(`/v4/silences/${silence.id}`)).json()) as SilenceView).held.held === 1, {
        what: "the alert held",
      });
      await pair.restartA();
      expect(rx.requests).toHaveLength(0);
      await waitFor(() => rx.requests.length >= 1, { what: "the held alert, sent when the silence expired", timeoutMs: 15_000 });
      await sweepBoth();
      expect(taskNamesSent(rx)).toEqual(["task.failed Night load"]);
      const list = (await (await pair.b.request("/v4/silences?state=ended")).json()) as { silences: SilenceView[] };
      expect(list.silences.find((s) => s.id === silence.id)?.held).toEqual({ sent: 1 });
    });
  });
}

// With incidents (on by default), a success that closes a task's incident is published as task.succeeded and then
// task.recovered; a silence of failures only must keep the recovery of a failure nobody was told of quiet.
describe("a silence of failures and the recovery that follows", () => {
  let rx: HttpReceiver;
  let t: TestApp;
  beforeAll(async () => {
    rx = startHttpReceiver();
    t = createTestApp(
      `channels:\n  hook: { type: webhook, url: "${rx.url}/hook" }\nroutes:\n  - { on: [task.failed, task.recovered], to: [hook], renotify: every }\n`,
    );
    await t.app.start();
  });
  afterAll(async () => {
    await t?.close();
    await rx?.stop();
  });

  test("the recovery of a held failure is not sent, though the silence covers failures only", async () => {
    await t.request("/v4/silences", json({ matcher: { kinds: ["task.failed"] }, reason: "known", duration: "1h" }));
    const failed = syntheticTaskEvent({ outcome: "failed", taskName: "Quiet", taskId: "quiet-1" });
    await t.app.bus.emit(failed.kind, failed);
    const ok = syntheticTaskEvent({ outcome: "succeeded", taskName: "Quiet", taskId: "quiet-1" });
    const succeeded = { ...ok, incident: { id: 1, status: "closed" as const, failures: 1, openedAt: ok.receivedAt, closedAt: ok.receivedAt } };
    await t.app.bus.emit("task.succeeded", succeeded);
    await t.app.bus.emit("task.recovered", { ...succeeded, id: `${ok.executionId}:recovered`, kind: "task.recovered" });
    await Bun.sleep(500);
    expect(rx.requests).toHaveLength(0);
    const held = (await (await t.request("/v4/silences/suppressed")).json()) as { suppressed: HoldView[] };
    expect(held.suppressed.map((h) => h.state)).toEqual(["closed"]);
  });

  // Follow-ups go only where their page went (issue 75, F1): a held failure sent when its silence ended was received.
  test("a held failure sent when its silence ended is followed by its recovery", { timeout: wallLimit(30_000) }, async () => {
    rx.requests.length = 0;
    const active = (await (await t.request("/v4/silences?state=active")).json()) as { silences: SilenceView[] };
    for (const s of active.silences) await t.request(`/v4/silences/${s.id}`, { method: "DELETE" });
    const created = await t.request("/v4/silences", json({ matcher: { taskNames: ["Loud*"], kinds: ["task.failed"] }, reason: "patch", duration: "1h" }));
    const silence = (await created.json()) as SilenceView;
    const failed = syntheticTaskEvent({ outcome: "failed", taskName: "Loud", taskId: "loud-1" });
    const incident = { id: 2, status: "open" as const, failures: 1, openedAt: failed.receivedAt };
    await t.app.bus.emit("task.failed", { ...failed, incident });
    await Bun.sleep(300);
    expect(rx.requests).toHaveLength(0);
    expect((await t.request(`/v4/silences/${silence.id}`, { method: "DELETE" })).status).toBe(200);
    await waitFor(() => rx.requests.length >= 1, { what: "the held failure, sent when the silence ended", timeoutMs: 15_000 });
    const ok = syntheticTaskEvent({ outcome: "succeeded", taskName: "Loud", taskId: "loud-1" });
    const closed = { ...incident, status: "closed" as const, closedAt: ok.receivedAt };
    await t.app.bus.emit("task.recovered", { ...ok, id: `${ok.executionId}:recovered`, kind: "task.recovered", incident: closed });
    await waitFor(() => rx.requests.length >= 2, { what: "the recovery" });
    expect(taskNamesSent(rx)).toEqual(["task.failed Loud", "task.recovered Loud"]);
  });
});
