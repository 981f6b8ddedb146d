// What an acknowledgement or a resolve made in an on-call product does in Steward. An acknowledgement acknowledges the
// incident or cause the alert's key names (with it every incident of the cause); a resolve resolves it in Steward
// (issue 79): closed as resolved by the product's user, its follow-up sent everywhere but back to that product. A later
// failure of the task opens a new incident. Audited with the product as the actor. An incident already acknowledged
// keeps who did it first, and the echo of Steward's own resolve (the incident closed already) changes nothing.
import type { AuditLog } from "../../platform/audit/audit-log";
import type { IncidentService } from "../incidents";
import { parseAlertKey } from "../notify/on-call/alert";

export type ProductAction = "acknowledge" | "resolve";

export interface ProductAct {
  product: "pagerduty" | "opsgenie";
  /** The product's name for people ("PagerDuty", "Opsgenie"). */
  productName: string;
  channel: string;
  action: ProductAction;
  /** The alert's key (dedup key, alias). */
  key: string;
  /** Who did it there (the product's user), when it says. */
  agent: string | undefined;
  /** The product's id of what it sent (webhook event id), for the audit. */
  reference: string | undefined;
  ip: string | undefined;
}

export interface ProductActResult {
  status: "done" | "ignored";
  message: string;
}

/** The condition's incident (a missed start, a freshness promise…) a channel's alert keyed by its condition is, if any. */
export type ConditionIncidentOf = (channel: string, key: string) => Promise<number | undefined>;

/** How an act finds a condition's incident, and tells the channel what its product did to the alert itself. */
export interface ProductActLinks {
  conditionIncidentOf?: ConditionIncidentOf;
  /** The channel holds the alert acknowledged, or forgets it is open (the notifier's actedInProduct()). */
  actedThere?: (channel: string, key: string, action: ProductAction, by: string) => Promise<void>;
}

export async function actFromProduct(
  incidents: IncidentService | undefined,
  audit: AuditLog,
  a: ProductAct,
  links: ProductActLinks = {},
): Promise<ProductActResult> {
  const { conditionIncidentOf } = links;
  // A condition's incident pages under its condition's key (steward-watch-…), which names no incident: the alert's
  // opening event does (composition/condition-alerts.ts).
  const byCondition = async () => {
    const id = incidents && conditionIncidentOf ? await conditionIncidentOf(a.channel, a.key) : undefined;
    return id === undefined ? undefined : { incident: id };
  };
  const target = parseAlertKey(a.key) ?? (await byCondition());
  const by = `${a.productName}: ${a.agent ?? "unknown user"}`;
  // Acknowledged or closed in the product: the alert is so there, whatever Steward does with it. Recorded before the
  // incident changes (a condition's is found by the alert's open mark, above), so the convergence sweep cannot find
  // the incident acknowledged or ended, and that product not told, in between, and send it its own step back.
  await links.actedThere?.(a.channel, a.key, a.action, by);
  const record = (result: "ok" | "failed", details: Record<string, unknown>) =>
    audit.record({
      actor: { kind: a.product, name: (a.agent ?? "unknown user").slice(0, 200), ...(a.ip ? { ip: a.ip } : {}) },
      action: a.action === "acknowledge" ? "incident.acknowledge" : "incident.resolve",
      target: a.key,
      result,
      details: { channel: a.channel, ...(a.reference ? { reference: a.reference } : {}), ...details },
    });
  if (!target) return { status: "ignored", message: `${a.key} is no alert of a Steward incident or cause` };
  if (!incidents) {
    record("failed", { reason: "incidents are turned off (incidents.enabled: false)" });
    return { status: "ignored", message: "incidents are turned off in this Steward" };
  }
  if (a.action === "resolve") return resolveFromProduct(incidents, a, target, by, record);
  const note = `Acknowledged in ${a.productName}`;
  const from = { channel: a.channel };
  // Already acknowledged (in Steward, or by the echo of Steward's own acknowledgement that the product sends back):
  // who acknowledged first stays, and nothing is sent on.
  const already = "incident" in target ? await incidents.get(target.incident) : undefined;
  if (already?.status === "open" && already.acknowledgedBy !== null) {
    return { status: "done", message: `incident ${already.id} was already acknowledged in Steward by ${already.acknowledgedBy}` };
  }
  const done =
    "cause" in target
      ? (await incidents.acknowledgeCause(target.cause, by, note, from)) !== undefined
      : (await incidents.acknowledge(target.incident, by, note, from)) !== undefined;
  const what = "cause" in target ? `cause ${target.cause}` : `incident ${target.incident}`;
  if (!done) {
    record("failed", { reason: `${what} is not open` });
    return { status: "ignored", message: `${what} is not open in Steward` };
  }
  record("ok", { ...target, note });
  return { status: "done", message: `${what} acknowledged in Steward` };
}

type Target = { cause: number } | { incident: number };
type RecordResult = (result: "ok" | "failed", details: { [k: string]: unknown }) => void;

async function resolveFromProduct(incidents: IncidentService, a: ProductAct, target: Target, by: string, record: RecordResult): Promise<ProductActResult> {
  const r = { by, via: a.product, channel: a.channel, note: `Resolved in ${a.productName}` };
  const what = "cause" in target ? `cause ${target.cause}` : `incident ${target.incident}`;
  const done =
    "cause" in target ? (await incidents.resolveCause(target.cause, r)) !== undefined : (await incidents.resolveByHand(target.incident, r)) !== undefined;
  if (done) {
    record("ok", { ...target, note: r.note });
    return { status: "done", message: `${what} resolved in Steward` };
  }
  // The echo of a resolve made in Steward (or by a good run): PagerDuty tells of every resolve, its own included.
  const closed = "cause" in target ? (await incidents.causeStatus(target.cause)) === "closed" : (await incidents.get(target.incident))?.status === "closed";
  if (closed) return { status: "done", message: `${what} was already closed in Steward` };
  record("failed", { reason: `${what} is not open` });
  return { status: "ignored", message: `${what} is not open in Steward` };
}
