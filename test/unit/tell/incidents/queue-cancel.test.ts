// A run Qlik cancelled after it waited in its node's Scheduler queue is named so (error class `queue`), whatever its
// log or message says: it never started, so no script line is blamed. Read from the run's shape in QRS (the execution
// result's details), as Qlik publishes no wording for it; the mail, Slack and Teams headlines say "cancelled after
// waiting in the queue" instead of "failed".
import { expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createClassifier } from "../../../../src/tell/incidents/classify";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { buildVars } from "../../../../src/tell/notify/template-vars";
import { createTemplateRenderer } from "../../../../src/tell/notify/templates/renderer";

const at = "2026-03-03T02:30:02.000Z";
const detail = (message: string, detailsType = 2) => ({ message, detailsType, createdDate: at });
const REMOVED = "Task removed from the queue on reload01: it waited longer than the engine timeout (30 minutes) for a free engine";

/** A failed reload whose execution went from Queued to FinishedFail, never started; its message mentions a time limit. */
function cancelled(): TaskEvent {
  const e = syntheticTaskEvent({ outcome: "failed", taskName: "Wait 1", appName: "Wait 1 app" });
  const { scriptLog: _drop, ...rest } = e;
  return {
    ...rest,
    logMessage: "Task finished with state FinishedFail. Max retries reached.",
    execution: {
      statusCode: 8,
      status: "FinishedFail",
      details: [
        detail("Changing task state to Triggered"),
        detail("Changing task state from Triggered to Queued"),
        detail(REMOVED, 0),
        detail("Changing task state from Queued to FinishedFail", 0),
      ],
    },
  };
}

test("cancelled after waiting in the queue: the class, the hint, the line that says so", () => {
  const c = createClassifier().classify(cancelled());
  expect(c.errorClass).toBe("queue");
  expect(c.errorLine).toBe(REMOVED);
  expect(c.errorHint).toStartWith("Qlik cancelled the run: it waited in its node's Scheduler queue");
  // Without the queue in its details, the same run is classified by its lines, as before.
  const plain = { ...cancelled(), execution: { statusCode: 8, status: "FinishedFail", details: [detail("Error: Timeout expired while reading", 0)] } };
  expect(createClassifier().classify(plain)).toMatchObject({ errorLine: "Timeout expired while reading" });
  expect(createClassifier().classify(plain).errorClass).not.toBe("queue");
});

test("a run that waited, started and then failed on its own is its script's failure", () => {
  const e = syntheticTaskEvent({ outcome: "failed" });
  const waited = {
    ...e,
    execution: { ...e.execution!, details: [detail("Changing task state from Triggered to Queued"), detail("Changing task state from Queued to Started")] },
  };
  expect(createClassifier().classify(waited).errorClass).toBe("script");
});

test("the headline says cancelled after waiting in the queue, on mail, Slack and Teams; no script log is shown", () => {
  const e = cancelled();
  const c = createClassifier().classify(e);
  const vars = buildVars({ ...e, ...c }, { headLines: 15, tailLines: 25, links: [] });
  const r = createTemplateRenderer();
  expect(r.render("email/task.failed.subject", vars)).toContain("Reload task cancelled after waiting in the queue: Wait 1 (Wait 1 app)");
  const text = r.render("email/task.failed.text", vars);
  expect(text).toStartWith("Reload task cancelled after waiting in the queue: Wait 1");
  expect(text).toContain("Likely cause (cancelled after waiting in the queue): Qlik cancelled the run");
  expect(text).not.toContain("What went wrong (script log)");
  expect(r.render("email/task.failed.html", vars)).toContain("Reload task cancelled after waiting in the queue");
  expect(JSON.stringify(r.renderJson("slack/task.failed.json", vars))).toContain("Reload task cancelled after waiting in the queue: Wait 1");
  expect(JSON.stringify(r.renderJson("teams/task.failed.json", vars))).toContain("Reload task cancelled after waiting in the queue");
  // Any other failure keeps its words.
  const other = buildVars(syntheticTaskEvent({ outcome: "failed", taskName: "T1" }), { headLines: 15, tailLines: 25, links: [] });
  expect(r.render("email/task.failed.subject", other)).toContain("Reload task failed: T1");
});
