// What is being done on an incident holds it (issue 101: the hold is the incident's, not one route's): while a retry,
// re-run, Engine reload of its app or restart of its chain is due or running, asked by a remediation rule or by a
// person (a rule only retries and re-runs), what the failure causes (the apps down its chain, a promise at risk) is not
// paged; a rule's hold holds the failure's own page too. What holds it is read from remediation
// (src/start/remediation/remediation-holds.ts, wired late, as the failure hold is) so every surface that shows the
// incident (REST, the dashboard, the assistant) can say what is being tried, by whom, until when.
import { z } from "zod";

export interface RemediationHold {
  /** The rule's name as `remediation.rules` names it; null when a person asked. */
  rule: string | null;
  /** Who asked: the person's verified identity (a mail address, an API key's name, a signed-in user) or `rule:<name>`. */
  askedBy: string;
  /** Where from: "link" (an alert's link in mail, Slack or Teams), "rest" (REST, the dashboard, the assistant), "rule". */
  askedFrom: string;
  /** What is being tried, in words: "retry 2 due", "re-run running", "Engine reload of Sales running", "chain restart from Load Sales due". */
  doing: string;
  /** When it is due (epoch ms), or null when it is under way or waits for something else than a time. */
  dueAt: number | null;
}

/** Who holds a task's failure: a rule (its page waits too) or a person (who got the page and acted on it). */
export type HeldBy = "rule" | "person";

/** The holds of the given open incidents, by incident id: an incident nothing holds is absent. */
export type RemediationHoldReader = (incidentIds: readonly number[]) => Promise<ReadonlyMap<number, RemediationHold>>;

export const heldByView = (h: RemediationHold | undefined) =>
  h ? { rule: h.rule, askedBy: h.askedBy, askedFrom: h.askedFrom, doing: h.doing, dueAt: h.dueAt === null ? null : new Date(h.dueAt).toISOString() } : null;

export const HeldBySchema = () =>
  z
    .object({
      rule: z.string().nullable().describe("The remediation rule (remediation.rules) retrying the failure; null when a person asked"),
      askedBy: z.string().describe("Who asked: the person's verified identity (mail address, API key name, signed-in user), or rule:<name> for a rule"),
      askedFrom: z
        .string()
        .describe('Where it was asked from: "link" (an alert\'s link in mail, Slack or Teams), "rest" (REST, the dashboard, the assistant), or "rule"'),
      doing: z
        .string()
        .describe(
          'What it is trying, e.g. "retry 2 due", "retry running", "waiting for the retry of Reload sales (same cause)", "Engine reload of Sales dashboard running", "chain restart from Load Sales waiting for a free engine on reload01: 2 of 2 busy"',
        ),
      dueAt: z.string().nullable().describe("When the next attempt is due; null while one runs or waits for the queue or an engine"),
    })
    .nullable()
    .describe(
      "A retry, re-run, Engine reload of its app or restart of its chain being done on this failure, asked by a remediation rule or a person (a rule only retries and re-runs): until it heals (nothing more is posted) or fails, what the failure causes (the apps down its chain, a promise at risk) is not paged on any route, and a rule's failure is not paged either until the rule gives up. null: nothing holds it.",
    );
