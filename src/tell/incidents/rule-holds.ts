// A remediation rule's hold is the incident's (issue 101): while a rule is retrying a failure (a retry due or running,
// a re-run waiting, a probe of the same cause being retried first), no route pages it. What holds it is read from
// remediation (src/start/remediation/rule-holds.ts, wired late, as the failure hold is) so every surface that shows
// the incident (REST, the dashboard, the assistant) can say what is being tried and until when.
import { z } from "zod";

export interface RuleHold {
  /** The rule's name as `remediation.rules` names it. */
  rule: string;
  /** What is being tried, in words: "retry 2 due", "retry running", "re-run waiting for a free engine". */
  doing: string;
  /** When it is due (epoch ms), or null when it is under way or waits for something else than a time. */
  dueAt: number | null;
}

/** The holds of the given open incidents, by incident id: an incident no rule holds is absent. */
export type RuleHoldReader = (incidentIds: readonly number[]) => Promise<ReadonlyMap<number, RuleHold>>;

export const heldByView = (h: RuleHold | undefined) =>
  h ? { rule: h.rule, doing: h.doing, dueAt: h.dueAt === null ? null : new Date(h.dueAt).toISOString() } : null;

export const HeldBySchema = () =>
  z
    .object({
      rule: z.string().describe("The remediation rule (remediation.rules) retrying the failure"),
      doing: z.string().describe('What it is trying, e.g. "retry 2 due", "retry running", "waiting for the retry of Reload sales (same cause)"'),
      dueAt: z.string().nullable().describe("When the next attempt is due; null while one runs or waits for the queue or an engine"),
    })
    .nullable()
    .describe(
      "A remediation rule retrying this failure: until it heals (nothing is posted) or the rule gives up (one page naming the attempts), no route pages it. null: no rule holds it.",
    );
