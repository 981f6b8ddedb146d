// What is being done about a cause and what came of each action (issue 101), as GET /v4/causes and the dashboard's
// Causes page show it. Remediation reads it (src/start/remediation/cause-being-done.ts, wired late): the holds of the
// cause's failures from the reader the incidents' heldBy reads, and each ended action in the words its channels got.
import { z } from "zod";

/** What a cause covers for remediation: its own id (a re-run of its cancelled runs) and its tasks since it opened. */
export interface CauseScope {
  id: number;
  /** Its symptoms' tasks (QRS ids, lower case). */
  taskIds: readonly string[];
  openedAt: number;
}

export interface BeingDoneItem {
  /** The sentence a person reads: "Load Sales: retry 2 due at 02:21 UTC (rule night-retry, attempt 2 of 2)". */
  text: string;
  /** The task it is about (a re-run of several: the first in chain order). */
  taskName: string;
  kind: string;
  /** Who asked: a person's identity, or rule:<name>. */
  askedBy: string;
  /** When the next attempt is due (ISO); null while it runs or waits for the queue, an engine or another retry. */
  dueAt: string | null;
}

export interface DoneItem {
  /** The action's outcome as the cause's channels told it ("Retried by … at …: …; the retry succeeded."). */
  text: string;
  taskName: string;
  kind: string;
  askedBy: string;
  /** ok: it succeeded; fail: it failed, was aborted or was not started; info: not needed, cancelled. */
  tone: "ok" | "fail" | "info";
  endedAt: string | null;
}

export interface CauseBeingDone {
  doing: BeingDoneItem[];
  done: DoneItem[];
}

/** By cause id; a cause nothing was done about may be absent. */
export type BeingDoneReader = (causes: readonly CauseScope[]) => Promise<ReadonlyMap<number, CauseBeingDone>>;

export const NOTHING_DONE: CauseBeingDone = { doing: [], done: [] };

export const BeingDoneSchema = () =>
  z
    .object({
      doing: z
        .array(
          z.object({
            text: z.string(),
            taskName: z.string(),
            kind: z.string().describe("retry, rerun, reload (the app through the Engine) or chain"),
            askedBy: z.string().describe("The person's verified identity, or rule:<name>"),
            dueAt: z.string().nullable(),
          }),
        )
        .describe(
          "What is being done now on the cause's failures, read from the same holds as an incident's heldBy: a retry due, a rule holding, failures waiting for the retry of the cause's first task, a re-run waiting for the queue or an engine, an Engine reload or a chain restart, an action running.",
        ),
      done: z
        .array(
          z.object({
            text: z.string(),
            taskName: z.string(),
            kind: z.string(),
            askedBy: z.string(),
            tone: z.enum(["ok", "fail", "info"]),
            endedAt: z.string().nullable(),
          }),
        )
        .describe("The actions on the cause that ended (the newest 10), each as the cause's channels told its outcome. A failed action says so."),
    })
    .describe("What Steward is doing about the cause and what came of it (remediation); empty lists when nothing was done or remediation is off.");
