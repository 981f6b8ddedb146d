// The alert API requests of one step of a Steward alert in Opsgenie or Jira Service Management: create with the alias,
// message, description (the failing lines), details, tags and priority; acknowledge and close by alias.
import { type DomainEvent, isTaskEvent } from "../../../../platform/events/types";
import { actionLines, alertFacts, alertLinks, alertSummary, failingLines } from "../../on-call/alert";
import type { OnCallStep } from "../../on-call/open-alerts";
import { type OpsgenieChannelConfig, priorityOf } from "./schema";

/** The API's limits: message 130 characters, alias and entity 512, description 15000, details 8000 in all. */
const MESSAGE_MAX = 130;
const DESCRIPTION_MAX = 15_000;
const DETAILS_MAX = 8_000;
const DETAIL_VALUE_MAX = 1_000;
/** A note (acknowledge, close, add note) at most 25000. */
const NOTE_MAX = 25_000;

export interface OpsgenieRequest {
  path: string;
  body: Record<string, unknown>;
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** Details as string pairs within the API's total size, the longest values cut first. */
function details(facts: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [k, v] of Object.entries(facts)) {
    const value = clip(v, DETAIL_VALUE_MAX);
    if (size + k.length + value.length > DETAILS_MAX) break;
    out[k] = value;
    size += k.length + value.length;
  }
  return out;
}

/**
 * The note that tells what Steward's remediation did about the alert, or undefined when the message tells nothing. On
 * a cause's alert the lines of the message's own task do not name it (its mail or post says it in the title, a note
 * has none), so the heading does: "Load 07" among twelve loads, not just "Retried by …".
 */
export function actionNote(vars: Record<string, unknown> | undefined, e?: DomainEvent): string | undefined {
  const lines = actionLines(vars);
  if (lines.length === 0) return undefined;
  const about = e?.cause && isTaskEvent(e) ? ` (${e.task.name || e.task.id})` : "";
  return clip(`What Steward did${about}:\n${lines.join("\n")}`, NOTE_MAX);
}

/** Adds the outcome of Steward's actions to the open alert of `step.key` (the alert API's Add Note). */
export function opsgenieNote(cfg: OpsgenieChannelConfig, step: OnCallStep, note: string): OpsgenieRequest {
  return { path: `/v2/alerts/${encodeURIComponent(step.key.slice(0, 512))}/notes?identifierType=alias`, body: { source: cfg.source, note } };
}

function description(e: DomainEvent, publicUrl: string | undefined, vars: Record<string, unknown> | undefined): string {
  const parts = [alertSummary(e)];
  const done = actionNote(vars, e);
  if (done) parts.push(done);
  const lines = failingLines(e, 10_000);
  if (lines) parts.push(`Failing lines:\n${lines}`);
  const links = alertLinks(e, publicUrl);
  if (links.length > 0) parts.push(links.map((l) => `${l.text}: ${l.href}`).join("\n"));
  return clip(parts.join("\n\n"), DESCRIPTION_MAX);
}

export function opsgenieRequest(
  cfg: OpsgenieChannelConfig,
  e: DomainEvent,
  step: OnCallStep,
  publicUrl: string | undefined,
  note?: string,
  vars?: Record<string, unknown>,
): OpsgenieRequest {
  const alias = step.key.slice(0, 512);
  const byAlias = (verb: string) => `/v2/alerts/${encodeURIComponent(alias)}/${verb}?identifierType=alias`;
  // The note of an acknowledge or close says what Steward did too: the outcome that ended the alert is often told there.
  const withDone = (text: string) => clip([text, actionNote(vars, e)].filter(Boolean).join("\n\n"), NOTE_MAX);
  if (step.action === "acknowledge") return { path: byAlias("acknowledge"), body: { source: cfg.source, note: withDone(note ?? "Acknowledged in Steward") } };
  if (step.action === "resolve") return { path: byAlias("close"), body: { source: cfg.source, note: withDone(note ?? `Ended: ${alertSummary(e)}`) } };
  const host = "host" in e && typeof e.host === "string" ? e.host : undefined;
  return {
    path: "/v2/alerts",
    body: {
      message: clip(alertSummary(e), MESSAGE_MAX),
      alias,
      description: description(e, publicUrl, vars),
      tags: [...new Set([...cfg.tags, e.kind])].map((t) => clip(t, 50)).slice(0, 20),
      details: details(alertFacts(e)),
      ...(host ? { entity: clip(host, 512) } : {}),
      source: cfg.source,
      priority: priorityOf(cfg, e.kind),
      ...(cfg.responders.length > 0 ? { responders: cfg.responders } : {}),
    },
  };
}
