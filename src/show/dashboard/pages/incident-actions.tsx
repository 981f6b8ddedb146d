/** @jsxImportSource hono/jsx */
// The incident's actions on the task page (docs/remediation.md): what was done about it, oldest first, read from
// GET /v4/incidents/{id}/actions with the viewer's key, and the Retry a person may ask for there. The button is shown
// only to a viewer whose credentials may start tasks (scope tasks or admin) and only for an open incident whose error
// class remediation offers a retry for; it calls POST /v4/incidents/{id}/retry with the viewer's key (a forced call
// without the scope answers 403).
import type { Context } from "hono";
import { principalOf } from "../../../platform/http/request-state";
import type { HttpEnv } from "../../../platform/http/types";
import { grants } from "../../../platform/security/policy";
import type { IncidentView } from "../../../tell/incidents/routes";
import type { ApiReader } from "../api-reader";
import { Badge, Time } from "../components";
import type { RemediationOffer } from "../types";

/** One row of GET /v4/incidents/{id}/actions, as the page shows it. */
export interface ActionRow {
  id: number;
  taskName: string;
  kind: "retry" | "rerun" | "reload" | "chain";
  status: string;
  requestedBy: string;
  requestedFrom: string;
  requestedAt: string;
  dueAt: string;
  claimedBy: string | null;
  qlikAnswer: string | null;
  endedAt: string | null;
  outcome: string | null;
  outcomeLine: string | null;
}

/** The incident's actions; empty when remediation is off or the viewer may not read them. */
export async function actionsOf(api: ApiReader, c: Context<HttpEnv>, incidentId: number): Promise<ActionRow[]> {
  const r = await api<{ actions: ActionRow[] }>(c, `/v4/incidents/${incidentId}/actions`);
  return r.ok ? r.data.actions : [];
}

/** Whether the viewer's credentials may ask for a retry or a re-run (the scope POST /v4/incidents/{id}/retry needs). */
export function viewerMayAct(c: Context<HttpEnv>): boolean {
  return grants(principalOf(c).scopes, "tasks", "POST");
}

/** The delays to offer for this incident, or undefined when no Retry is offered to this viewer. */
export function retryOffer(c: Context<HttpEnv>, i: IncidentView, offer: RemediationOffer | undefined): readonly number[] | undefined {
  if (!offer || i.status !== "open" || !i.errorClass || !offer.retryClasses.includes(i.errorClass)) return undefined;
  return viewerMayAct(c) ? offer.retryIn : undefined;
}

const inWords = (ms: number) => (ms === 0 ? "now" : ms % 3_600_000 === 0 ? `in ${ms / 3_600_000} h` : `in ${Math.round(ms / 60_000)} min`);

export function RetryControl(props: { i: IncidentView; delays: readonly number[] }) {
  return (
    <span data-role="retry-action">
      <select data-retry-choice aria-label="When to retry">
        {props.delays.map((ms) => (
          <option value={String(Math.round(ms / 60_000))}>{inWords(ms)}</option>
        ))}
      </select>{" "}
      <button type="button" data-action="retry-incident" data-id={String(props.i.id)} data-name={props.i.title}>
        Retry the task
      </button>
    </span>
  );
}

/** What else the card offers this viewer on an open incident: the Engine reload, the chain's tasks to start from. */
export interface MoreOffer {
  reload: boolean;
  chain: Array<{ id: string; name: string }>;
}

/** The reload and chain actions for this viewer (tasks scope) on an open incident; undefined when none. */
export async function moreOffer(api: ApiReader, c: Context<HttpEnv>, i: IncidentView, offer: RemediationOffer | undefined, appName: string | undefined) {
  if (!offer || i.status !== "open" || !viewerMayAct(c)) return undefined;
  const r = await api<{ tasks: Array<{ id: string; name: string }> }>(c, `/v4/incidents/${i.id}/chain`);
  const chain = r.ok ? r.data.tasks : [];
  const more: MoreOffer = { reload: appName !== undefined && appName !== "", chain };
  return more.reload || chain.length > 0 ? more : undefined;
}

export function MoreControls(props: { i: IncidentView; more: MoreOffer }) {
  const { i, more } = props;
  return (
    <span data-role="more-actions">
      {more.reload ? (
        <button type="button" data-action="reload-app" data-id={String(i.id)} data-name={i.title}>
          Reload the app
        </button>
      ) : null}{" "}
      {more.chain.length > 0 ? (
        <span data-role="chain-action">
          <select data-chain-task aria-label="Start the chain from">
            {more.chain.map((t) => (
              <option value={t.id}>{t.name}</option>
            ))}
          </select>{" "}
          <button type="button" data-action="restart-chain" data-id={String(i.id)} data-name={i.title}>
            Restart the chain from it
          </button>
        </span>
      ) : null}
    </span>
  );
}

const KIND_WORDS = { retry: "Retry", rerun: "Re-run", reload: "Engine reload", chain: "Chain from" } as const;

const tone = (a: ActionRow) => (a.outcome === "succeeded" ? "ok" : a.status === "failed" || a.outcome === "failed" ? "fail" : "warn");

export function ActionList(props: { actions: ActionRow[] }) {
  return (
    <table class="actions" data-role="actions">
      <thead>
        <tr>
          <th>Action</th>
          <th>Asked</th>
          <th>Due</th>
          <th>Status</th>
          <th>What Qlik answered</th>
        </tr>
      </thead>
      <tbody>
        {props.actions.map((a) => (
          <tr data-action-id={String(a.id)}>
            <td>
              {KIND_WORDS[a.kind]}
              {a.kind === "chain" ? ` ${a.taskName}` : ""} #{a.id}
            </td>
            <td class="small">
              by <b>{a.requestedBy}</b> ({a.requestedFrom}) <Time iso={a.requestedAt} />
            </td>
            <td class="small">
              <Time iso={a.dueAt} />
            </td>
            <td>
              <Badge tone={tone(a)}>{a.outcome ? `${a.status}: ${a.outcome}` : a.status}</Badge>
              {a.endedAt ? (
                <div class="small">
                  <Time iso={a.endedAt} />
                </div>
              ) : null}
            </td>
            <td class="small">
              {a.qlikAnswer ?? <span class="muted">—</span>}
              {a.outcomeLine ? <div class="mono muted">{a.outcomeLine}</div> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
