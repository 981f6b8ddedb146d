// A re-run's dry run in the words of a link's confirmation page (tell/ack-links' RerunPreviewLines): for each promise
// the time its app is expected fresh if approved now, or plainly that it is not known yet and what holds it up.
import type { RerunPreviewLines, RetryPreviewLines } from "../../tell/ack-links/remedy-port";
import type { RetryPreview } from "./retry-preview";
import type { RerunPreview } from "./rerun-preview";

/** A re-run's (or a chain's start's) preview in a page's words. */
export function rerunPreviewLines(
  p: Pick<RerunPreview, "node" | "startsWhen" | "promises"> & { runs: ReadonlyArray<{ order: number; taskName: string; after?: string }> },
  formatTime: (ms: number) => string,
): RerunPreviewLines {
  return {
    node: p.node,
    startsWhen: p.startsWhen,
    runs: p.runs.map((r) => ({ order: r.order, taskName: r.taskName, ...(r.after ? { after: r.after } : {}) })),
    promises: p.promises.map((x) => promiseLine(x, formatTime)),
  };
}

/** One promise's line: its fresh time if approved now (and without), or that it is not known yet and why. */
export function promiseLine(x: RerunPreview["promises"][number], formatTime: (ms: number) => string): string {
  const by = `fresh by ${formatTime(Date.parse(x.deadline))}`;
  if (x.expectedIfApproved === undefined) return `${x.promise} (${by}): expected fresh time not known yet${x.heldUpBy ? `: ${x.heldUpBy}` : ""}`;
  const without = x.expectedWithout === undefined ? "not expected without it" : `${formatTime(Date.parse(x.expectedWithout))} without it`;
  return `${x.promise} (${by}): fresh at about ${formatTime(Date.parse(x.expectedIfApproved))} if approved now (${without})`;
}

export const retryPreviewLines = (p: RetryPreview, formatTime: (ms: number) => string): RetryPreviewLines => ({
  startsWhen: p.startsWhen,
  promises: p.promises.map((x) => promiseLine(x, formatTime)),
});
