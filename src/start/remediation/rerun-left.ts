// What a re-run of a queue cause would find now, open or closed: the runs its queue cancelled that have not run again.
// The queue's cause closes when its last waiting run is cancelled, which is when a re-run makes sense, so the link's
// page, the Causes page's button and REST read this rather than whether the cause is open.
import { CANCELLED_IN_QUEUE } from "../../tell/grouping/queue-backlog";
import { cancelledRuns, nothingLeft, type RerunDeps } from "./rerun";

export function rerunLeftReads(deps: Pick<RerunDeps, "causes" | "incidents" | "store" | "formatTime">) {
  const queueCause = async (id: number) => {
    const cause = await deps.causes.get(id);
    return cause?.causeKey.startsWith("queue:") ? cause : undefined;
  };
  return {
    /** The runs left to re-run (their incidents still open with class queue); none for a cause that is not a queue's. */
    async leftToRerun(id: number): Promise<Array<{ taskId: string; taskName: string; incidentId: number }>> {
      if (!(await queueCause(id))) return [];
      return (await cancelledRuns(deps, id)).map(({ taskId, taskName, incidentId }) => ({ taskId, taskName, incidentId }));
    },
    /**
     * The incident a person's refused re-run is told on (where its page went, refusals.ts): a run still left's, else,
     * with nothing left, the incident of the first run the queue cancelled (closed since it ran again).
     */
    async refusalIncident(id: number): Promise<number | undefined> {
      const cause = await queueCause(id);
      if (!cause) return undefined;
      const [left] = await cancelledRuns(deps, id);
      if (left) return left.incidentId;
      const first = (await deps.causes.symptoms(id)).find((s) => s.taskId && s.kind === CANCELLED_IN_QUEUE);
      if (!first?.taskId) return undefined;
      // Its newest incident since the cause opened: the one the queue's cancellation opened, or a later one of it.
      const [incident] = await deps.incidents.list({ taskId: first.taskId, since: cause.openedAt, limit: 1 });
      return incident?.id;
    },
    /** The same in words for the link's page: which runs are left, or that nothing is, with what ran. */
    async rerunLeft(id: number): Promise<{ left: number; message: string }> {
      const cause = await queueCause(id);
      if (!cause) return { left: 0, message: `Cause #${id} is not a node's reload queue: there is nothing to re-run.` };
      const left = await cancelledRuns(deps, id);
      if (left.length > 0)
        return { left: left.length, message: `${left.length} run(s) it cancelled have not run again: ${left.map((c) => c.taskName).join(", ")}.` };
      const m = await nothingLeft(deps, cause);
      return { left: 0, message: `${m[0]!.toUpperCase()}${m.slice(1)}.` };
    },
  };
}
