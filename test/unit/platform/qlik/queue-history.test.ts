// Reading an execution result's details for the Scheduler's queue (platform/qlik/queue-history.ts). Qlik documents
// the statuses (QRS TaskExecutionStatus: 1 Triggered, 2 Started, 3 Queued, 6 Aborted, 8 FinishedFail, 11 Error) and
// that a run waiting longer than the queue's timeout is cancelled (KB "Concurrent Reload Settings in Qlik Sense
// Enterprise"), not how QRS records the cancellation: it is read by shape, so each plausible recording is here.
import { describe, expect, test } from "bun:test";
import { queueHistory } from "../../../../src/platform/qlik/queue-history";

const T = Date.parse("2026-03-03T02:00:00Z");
const d = (message: string, min: number, detailsType = 2) => ({ detailsType, message, detailCreatedDate: new Date(T + min * 60_000).toISOString() });
const triggered = d("Changing task state to Triggered", 0);
const queued = d("Changing task state from Triggered to Queued", 0);

describe("a run cancelled after waiting in the queue", () => {
  test("the simulator's recording: FinishedFail straight from Queued, with an error detail naming the queue", () => {
    const h = queueHistory(
      [
        triggered,
        queued,
        d("Task removed from the queue on reload01: it waited longer than the engine timeout (30 minutes) for a free engine", 30, 0),
        d("Changing task state from Queued to FinishedFail", 30, 0),
      ],
      8,
    );
    expect(h).toEqual({
      leftMs: T + 30 * 60_000,
      cancelled: true,
      message: "Task removed from the queue on reload01: it waited longer than the engine timeout (30 minutes) for a free engine",
    });
  });
  test("other recordings Qlik might make: Error from Queued saying it timed out; Triggered to FinishedFail with a message naming the queue", () => {
    expect(queueHistory([triggered, queued, d("Queue time-out", 30, 0), d("Changing task state from Queued to Error", 30, 0)], 11)?.cancelled).toBe(true);
    expect(
      queueHistory([triggered, d("Task timed out while waiting in queue", 30, 0), d("Changing task state from Triggered to FinishedFail", 30, 0)], 8)
        ?.cancelled,
    ).toBe(true);
  });
});

describe("not a cancellation in the queue", () => {
  test("a run that waited and then failed for a reason of its own (issue 77): failed while waiting, not cancelled", () => {
    for (const own of ["Failed to start session", "Engine on reload01 refused the session: out of memory"]) {
      const h = queueHistory([triggered, queued, d(own, 12, 0), d("Changing task state from Queued to FinishedFail", 12, 0)], 8);
      expect(h).toEqual({ leftMs: T + 12 * 60_000, cancelled: false, failedWaiting: true });
    }
    // Ended from Queued with no word about the time: the queue is not blamed either.
    expect(queueHistory([triggered, queued, d("Changing task state from Queued to Error", 30, 0)], 11)).toMatchObject({
      cancelled: false,
      failedWaiting: true,
    });
  });
  test("a run that waited, then started and failed on its own: timed from when it left the queue", () => {
    expect(
      queueHistory([triggered, queued, d("Changing task state from Queued to Started", 12), d("Changing task state from Started to FinishedFail", 20, 0)], 8),
    ).toEqual({
      leftMs: T + 12 * 60_000,
      cancelled: false,
    });
  });
  test("someone stopped it while it waited (an abort asked for, not the timeout)", () => {
    const h = queueHistory(
      [
        triggered,
        queued,
        d("Changing task state from Queued to AbortInitiated", 5, 1),
        d("Changing task state from AbortInitiated to Aborting", 5, 1),
        d("Changing task state from Aborting to Aborted", 5, 1),
      ],
      6,
    );
    expect(h?.cancelled).toBe(false);
  });
  test("the Scheduler could not start it (no queue named); a run still waiting; details QRS did not send", () => {
    expect(queueHistory([triggered, d("Failed to start session", 1, 0), d("Changing task state from Triggered to FinishedFail", 1, 0)], 8)).toBeUndefined();
    expect(queueHistory([triggered, queued], 3)?.cancelled ?? false).toBe(false);
    expect(queueHistory(undefined, 8)).toBeUndefined();
    expect(queueHistory([null, 7, { message: 42 }], 8)).toBeUndefined();
  });
});
