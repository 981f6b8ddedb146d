// What an escalation timer names: a task's failure its open incident (as before causes escalated), any other page of
// an open cause that cause (a node's service stopped, a queue backed up); never a recovery, a cause's update or a
// cause that ended.
import { expect, test } from "bun:test";
import type { CauseSummary } from "../../../../src/platform/events/cause-summary";
import { escalationSubject } from "../../../../src/tell/escalation/service";
import { syntheticServiceEvent, syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";

const cause: CauseSummary = {
  id: 4,
  title: "Qlik services down on qlik2",
  status: "open",
  text: "",
  tasks: [],
  apps: [],
  streams: [],
  counts: { tasks: 0, apps: 0, streams: 0 },
  stillFailing: 0,
};

test("a task's failure names its incident; a cause's page of any kind names the cause; a recovery, an update or an ended cause nothing", () => {
  const failed = syntheticTaskEvent({ outcome: "failed" });
  const incident = { id: 12, status: "open" as const, failures: 1, openedAt: failed.receivedAt };
  expect(escalationSubject({ ...failed, incident, cause })).toEqual({ incidentId: 12 });
  expect(escalationSubject({ ...syntheticServiceEvent({ state: "stopped" }), cause })).toEqual({ causeId: 4 });
  expect(escalationSubject({ ...syntheticWatchdogEvent("scheduler.queue_backlog"), cause })).toEqual({ causeId: 4 });
  expect(escalationSubject(syntheticServiceEvent({ state: "stopped" }))).toBeUndefined();
  expect(escalationSubject({ ...syntheticServiceEvent({ state: "started" }), cause: { ...cause, status: "closed" } })).toBeUndefined();
  expect(
    escalationSubject({
      ...syntheticServiceEvent({ state: "stopped" }),
      cause: { ...cause, update: { since: "2026-11-26T01:00:00Z", tasks: [], apps: [], count: 1 } },
    }),
  ).toBeUndefined();
  const recovered = syntheticTaskEvent({ kind: "task.recovered" });
  expect(escalationSubject({ ...recovered, incident: { ...incident, status: "closed" }, cause })).toBeUndefined();
});
