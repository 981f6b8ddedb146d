// Issue 84, point 6, the datagram's side: a success QRS did not confirm (a forged datagram let through because QRS
// could not be asked, intake.confirm.alertUnconfirmed: qrsUnavailable) ends no cause. Two tasks fail from one source:
// one cause, one page. Their unconfirmed successes leave it open, both still failing, and no recovered page goes;
// their confirmed successes end it with one recovered page.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { ParentView } from "../../../../src/tell/grouping";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { withSourceFailure } from "../../../helpers/failed-runs";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "../notify/receivers";

const failure = (i: number): TaskEvent =>
  withSourceFailure(syntheticTaskEvent({ outcome: "failed", taskName: `Load ${i}`, taskId: `task-${i}`, appName: `App ${i}`, appId: `app-${i}` }), "DWH");
const success = (i: number, unconfirmed?: TaskEvent["unconfirmed"]): TaskEvent => ({
  ...syntheticTaskEvent({ kind: "task.succeeded", outcome: "succeeded", taskName: `Load ${i}`, taskId: `task-${i}` }),
  ...(unconfirmed ? { unconfirmed } : {}),
});

let rx: HttpReceiver;
let t: TestApp;
beforeAll(async () => {
  rx = startHttpReceiver();
  t = createTestApp(`channels:
  hook: { type: webhook, url: "${rx.url}/hook" }
routes:
  - { on: [task.failed, task.recovered], to: [hook] }
`);
  await t.app.start();
});
afterAll(async () => {
  await t?.close();
  await rx?.stop();
});

/** What the hook got: the kind, and the cause's state when the page carries one. */
const sent = () =>
  rx.requests.map((r) => {
    const b = JSON.parse(r.body) as { kind: string; cause?: { status: string } };
    return b.cause ? `${b.kind} (cause ${b.cause.status})` : b.kind;
  });
const openCauses = async () => ((await (await t.request("/v4/causes?status=open")).json()) as { causes: ParentView[] }).causes;

test("unconfirmed successes leave the cause open and send no recovery; confirmed ones end it", async () => {
  for (const i of [1, 2]) await t.app.bus.emit("task.failed", failure(i));
  await waitFor(() => rx.requests.length >= 1, { what: "the cause's page" });
  expect(sent()).toEqual(["task.failed (cause open)"]);

  const qrsDown = { qrs: "unavailable" as const, reason: "QRS could not be asked (connect ECONNREFUSED)" };
  for (const i of [1, 2]) await t.app.bus.emit("task.succeeded", success(i, qrsDown));
  const [open] = await openCauses();
  expect(open).toMatchObject({ title: "connection errors from DWH", stillFailing: 2 });

  for (const i of [1, 2]) await t.app.bus.emit("task.succeeded", success(i));
  await waitFor(() => rx.requests.length >= 2, { what: "the recovered page" });
  // The success that ended the last symptom is the cause's recovered page.
  expect(sent()).toEqual(["task.failed (cause open)", "task.succeeded (cause closed)"]);
  expect(await openCauses()).toEqual([]);
});
