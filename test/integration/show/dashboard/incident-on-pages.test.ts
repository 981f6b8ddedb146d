// The overview says how many incidents are open and how many nobody acknowledged, and a task's page shows its incident
// and who acknowledged it (issue 88): a run the simulator fails opens the task's incident; the overview counts it open
// and unacknowledged, the task page says nobody acknowledged it; acknowledged through the API, the overview's second
// count drops and the task page names who and their note; the next good run closes it, and the task page shows it as
// its last incident, still naming who acknowledged it. Before, neither page said any of it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";

let dir: TempDir;
let h: Harness;

beforeAll(async () => {
  dir = createTempDir("steward-incident-pages-");
  h = await startHarness({ dir: dir.path });
}, 60_000);

afterAll(async () => {
  await h?.close();
  dir?.remove();
});

const page = async (path: string) => (await h.t.request(path)).text();
/** A stat of the overview: its number and label. */
const stat = (body: string, id: string) => {
  const m = new RegExp(`<div class="stat" id="${id}"><b[^>]*>([^<]*)</b><span>([^<]*)</span>`).exec(body);
  return m ? `${m[1]} ${m[2]}` : undefined;
};
const card = (body: string) => {
  const start = body.indexOf('id="task-incident"');
  return start < 0 ? undefined : body.slice(start, body.indexOf("</section>", start));
};

test("the overview counts open and unacknowledged incidents; the task page shows its incident and who acknowledged it", { timeout: 60_000 }, async () => {
  const before = await page("/ui");
  expect([stat(before, "open-incidents"), stat(before, "unacknowledged-incidents")]).toEqual(["0 open incidents", "0 nobody acknowledged"]);

  await h.eventFor(await h.runWhenIdle(IDS.reload, "fail"));
  const incident = await waitFor(
    async () =>
      ((await (await h.t.request("/v4/incidents?status=open")).json()) as { incidents: Array<{ id: number; taskId: string }> }).incidents.find(
        (i) => i.taskId === IDS.reload,
      ),
    { what: "the task's open incident" },
  );
  const overview = await page("/ui");
  expect([stat(overview, "open-incidents"), stat(overview, "unacknowledged-incidents")]).toEqual(["1 open incidents", "1 nobody acknowledged"]);
  // The run's history row joins the store's next shared commit, a moment after its event.
  const open = await waitFor(async () => card(await page(`/ui/tasks/${IDS.reload}`)), { what: "the task page's incident card" });
  expect(open).toContain(`data-incident="${incident.id}" data-status="open"`);
  expect(open).toContain(`#${incident.id}: 1 failed run since`);
  expect(open).toContain("nobody yet");

  const ack = await h.t.request(`/v4/incidents/${incident.id}/acknowledge`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ note: "reloading the QVD by hand" }),
  });
  expect(ack.status).toBe(200);
  const by = ((await ack.json()) as { acknowledgedBy: string }).acknowledgedBy;
  const acked = await page("/ui");
  expect([stat(acked, "open-incidents"), stat(acked, "unacknowledged-incidents")]).toEqual(["1 open incidents", "0 nobody acknowledged"]);
  const onIt = card(await page(`/ui/tasks/${IDS.reload}`))!;
  expect(onIt).toContain(`by <b>${by}</b>`);
  expect(onIt).toContain("reloading the QVD by hand");

  await h.eventFor(await h.runWhenIdle(IDS.reload, "succeed"));
  const closed = await waitFor(
    async () => {
      const c = card(await page(`/ui/tasks/${IDS.reload}`));
      return c?.includes('data-status="closed"') ? c : undefined;
    },
    { what: "the task page's incident, closed" },
  );
  expect(closed).toContain("Last incident");
  expect(closed).toContain(`by <b>${by}</b>`);
  const after = await page("/ui");
  expect([stat(after, "open-incidents"), stat(after, "unacknowledged-incidents")]).toEqual(["0 open incidents", "0 nobody acknowledged"]);
});
