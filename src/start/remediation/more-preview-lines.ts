// The service's side of the chain's and the Engine reload's previews (issue 105): REST's dryRun answers as they are,
// and the same figures in the words of a link's confirmation page (tell/ack-links' RemedyPort).
import type { ChainPreviewLines, RetryPreviewLines } from "../../tell/ack-links/remedy-port";
import { type MorePreviewDeps, previewChain, previewReload } from "./more-previews";
import { promiseLine, rerunPreviewLines } from "./rerun-preview-lines";

export type { previewChain, previewReload };

/** A chain's page previews a start from each of its first tasks: more would be a page nobody reads. */
const MOST_STARTS = 6;

export function morePreviews(
  deps: MorePreviewDeps & { clock: { now(): number }; more: { chainOfIncident(id: number): Promise<Array<{ id: string; name: string }>> } },
) {
  const now = () => deps.clock.now();
  return {
    previewChain: (incidentId: number, taskId: string) => previewChain(deps, incidentId, taskId, now()),
    previewReload: (incidentId: number) => previewReload(deps, incidentId, now()),
    async chainPreview(incidentId: number): Promise<ChainPreviewLines[]> {
      const out: ChainPreviewLines[] = [];
      for (const t of (await deps.more.chainOfIncident(incidentId)).slice(0, MOST_STARTS)) {
        const p = await previewChain(deps, incidentId, t.id, now());
        if (p.ok)
          out.push({ taskId: t.id, taskName: t.name, ...rerunPreviewLines({ ...p.preview, node: p.preview.node ?? "the node Qlik picks" }, deps.formatTime) });
      }
      return out;
    },
    async reloadPreview(incidentId: number): Promise<RetryPreviewLines | undefined> {
      const p = await previewReload(deps, incidentId, now());
      return p.ok ? { startsWhen: p.preview.startsWhen, promises: p.preview.promises.map((x) => promiseLine(x, deps.formatTime)) } : undefined;
    },
  };
}
