/** @jsxImportSource hono/jsx */
// The Causes page's "being done" row under a cause (issue 101): what Steward is doing about it now (a retry due, a rule
// holding, a re-run waiting for the queue or an engine, an Engine reload, a chain restart, an action running) and what
// came of each action, as GET /v4/causes words them from the holds the incidents' heldBy reads. Nothing is judged here.
import type { CauseBeingDone, DoneItem } from "../../../tell/grouping";
import { Badge } from "../components";

const OUTCOME: Record<DoneItem["tone"], string> = { ok: "succeeded", fail: "failed", info: "not run" };

export function BeingDoneRow(props: { causeId: number; beingDone: CauseBeingDone | undefined }) {
  const b = props.beingDone;
  if (!b || (b.doing.length === 0 && b.done.length === 0)) return null;
  return (
    <tr data-role="being-done" data-cause={String(props.causeId)}>
      <td />
      <td colSpan={4} class="small">
        {b.doing.length > 0 ? (
          <div>
            <b>Being done</b>
            <ul>
              {b.doing.map((d) => (
                <li data-role="doing">{d.text}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {b.done.length > 0 ? (
          <div>
            <b>What came of it</b>
            <ul>
              {b.done.map((d) => (
                <li data-role="done" data-tone={d.tone}>
                  <Badge tone={d.tone}>{OUTCOME[d.tone]}</Badge> {d.text}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </td>
    </tr>
  );
}
