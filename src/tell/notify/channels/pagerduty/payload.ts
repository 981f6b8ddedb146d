// The Events API v2 body of one step of a Steward alert in PagerDuty: trigger with the summary, severity, facts,
// failing lines and links; acknowledge and resolve with the dedup key alone (PagerDuty ignores anything else).
import type { DomainEvent } from "../../../../platform/events/types";
import { isTaskEvent } from "../../../../platform/events/types";
import { alertFacts, alertLinks, alertSummary, failingLines } from "../../on-call/alert";
import type { OnCallStep } from "../../on-call/open-alerts";
import { type PagerDutyChannelConfig, severityOf } from "./schema";

/** PagerDuty's limits: payload.summary 1024 characters, dedup_key 255, the whole event 512 KB. */
const SUMMARY_MAX = 1024;
const LOG_MAX = 8_000;

export interface PagerDutyEvent {
  routing_key: string;
  event_action: "trigger" | "acknowledge" | "resolve";
  dedup_key: string;
  client?: string;
  client_url?: string;
  payload?: {
    summary: string;
    source: string;
    severity: string;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details: Record<string, unknown>;
  };
  links?: Array<{ href: string; text: string }>;
}

/**
 * The signed links of the actions a person may approve (retry, re-run, reload the app, restart the chain), from the
 * message's actionLinks (tell/ack-links). PagerDuty's own acknowledge and snooze stand for Steward's: those two links are
 * left out. Events API v2 has no buttons (custom incident actions need a PagerDuty extension): a link is what it takes.
 */
export function approvalLinks(vars: Record<string, unknown> | undefined): Array<{ href: string; text: string }> {
  const links = Array.isArray(vars?.actionLinks) ? (vars.actionLinks as unknown[]) : [];
  return links.flatMap((l) => {
    const { action, text, url } = (l ?? {}) as { action?: unknown; text?: unknown; url?: unknown };
    if (typeof url !== "string" || typeof text !== "string" || action === "ack" || action === "snooze") return [];
    return [{ href: url, text: `${text} (Steward asks you to confirm)` }];
  });
}

export function pagerDutyEvent(
  cfg: PagerDutyChannelConfig,
  e: DomainEvent,
  step: OnCallStep,
  publicUrl: string | undefined,
  vars?: Record<string, unknown>,
): PagerDutyEvent {
  const base = { routing_key: cfg.routingKey, event_action: step.action, dedup_key: step.key.slice(0, 255) };
  if (step.action !== "trigger") return base;
  const details: Record<string, unknown> = alertFacts(e);
  const lines = failingLines(e, LOG_MAX);
  if (lines) details["Failing lines"] = lines;
  const host = "host" in e && typeof e.host === "string" ? e.host : "Qlik Sense";
  return {
    ...base,
    client: "Qlik Sense Steward",
    ...(publicUrl ? { client_url: publicUrl } : {}),
    payload: {
      summary: alertSummary(e).slice(0, SUMMARY_MAX),
      source: (cfg.source ?? host).slice(0, 255),
      severity: severityOf(cfg, e.kind),
      timestamp: e.receivedAt,
      ...(isTaskEvent(e) ? { component: (e.app?.name ?? e.task.name).slice(0, 255), group: e.host.slice(0, 255) } : {}),
      class: e.kind,
      custom_details: details,
    },
    links: [...approvalLinks(vars), ...alertLinks(e, publicUrl)],
  };
}
