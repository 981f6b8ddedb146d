// A re-run's dry run in the words of a link's confirmation page (tell/ack-links' RerunPreviewLines): for each promise
// the time its app is expected fresh if approved now, or plainly that it is not known yet and what holds it up.
import type { RerunPreviewLines } from "../../tell/ack-links/remedy-port";
import type { RerunPreview } from "./rerun-preview";

export function rerunPreviewLines(p: RerunPreview, formatTime: (ms: number) => string): RerunPreviewLines {
  return {
    node: p.node,
    startsWhen: p.startsWhen,
    runs: p.runs.map((r) => ({ order: r.order, taskName: r.taskName, ...(r.after ? { after: r.after } : {}) })),
    promises: p.promises.map((x) => {
      const by = `fresh by ${formatTime(Date.parse(x.deadline))}`;
      if (x.expectedIfApproved === undefined) return `${x.promise} (${by}): expected fresh time not known yet${x.heldUpBy ? `: ${x.heldUpBy}` : ""}`;
      const without = x.expectedWithout === undefined ? "not expected without it" : `${formatTime(Date.parse(x.expectedWithout))} without it`;
      return `${x.promise} (${by}): fresh at about ${formatTime(Date.parse(x.expectedIfApproved))} if approved now (${without})`;
    }),
  };
}
