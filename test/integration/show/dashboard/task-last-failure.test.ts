// The task page an incident links to says why the task's last failed run failed (issue 74): a run the simulator
// fails with a script error shows, on /ui/tasks/<id>, the failing line of its script log, the likely cause read from
// it and a link to that run's event page; after a successful run it still shows them, and says the task ran since.
import { waitFor } from "../../../helpers/wait-for";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { IDS, startHarness, type Harness } from "../../hear/intake/harness";

let dir: TempDir;
let h: Harness;

beforeAll(async () => {
  dir = createTempDir("steward-task-last-failure-");
  h = await startHarness({ dir: dir.path });
}, 60_000);

afterAll(async () => {
  await h?.close();
  dir?.remove();
});

const section = (body: string) => {
  const start = body.indexOf('id="last-failure"');
  expect(start).toBeGreaterThan(-1);
  return body.slice(start, body.indexOf("</section>", start));
};

test("a failed run's error line, its likely cause and a link to the run are on the task page", { timeout: 60_000 }, async () => {
  // A task that never failed has no such section.
  const ok = await h.runWhenIdle(IDS.reload, "succeed");
  await h.eventFor(ok);
  expect(await (await h.t.request(`/ui/tasks/${IDS.reload}`)).text()).not.toContain('id="last-failure"');

  const failed = await h.runWhenIdle(IDS.reload, "fail");
  const event = await h.eventFor(failed);
  expect(event.outcome).toBe("failed");
  // As after the success below: the run's history row joins the store's next shared commit, a moment after its event
  // (beside four busy loops the page was read before it).
  let card = await waitFor(
    async () => {
      const body = await (await h.t.request(`/ui/tasks/${IDS.reload}`)).text();
      return body.includes('id="last-failure"') ? section(body) : undefined;
    },
    { what: "the task page after the failure" },
  );
  expect(card).toContain("Why the last failed run failed");
  expect(card).toMatch(/<pre class="log-errors" data-role="error-lines">[^<]*Cannot open file: &#39;lib:\/\/Data\/orders\.qvd&#39;/);
  expect(card).toContain('data-error-class="file"');
  expect(card).toContain(">missing file<");
  const link = /<a class="btn" href="\/ui\/events\/(\d+)" data-link="run-event">/.exec(card);
  expect(link).not.toBeNull();
  // The link opens that run's event page.
  const runPage = await (await h.t.request(`/ui/events/${link![1]}`)).text();
  expect(runPage).toContain(failed);
  expect(runPage).toContain("task.failed");

  // A success after it: the failure is still explained, and the page says the task ran since.
  const again = await h.runWhenIdle(IDS.reload, "succeed");
  await h.eventFor(again);
  // The run's history row joins the store's next shared commit, a moment after its event.
  card = await waitFor(
    async () => {
      const now = section(await (await h.t.request(`/ui/tasks/${IDS.reload}`)).text());
      return now.includes("The task has run since") ? now : undefined;
    },
    { what: "the task page after the success" },
  );
  expect(card).toContain("The task has run since: its last run succeeded.");
  expect(card).toContain(`href="/ui/events/${link![1]}"`);
});
