// The Events API v2 body of one step of a Steward alert in PagerDuty: trigger with the summary, severity, facts,
// failing lines and links; acknowledge and resolve with the dedup key alone (PagerDuty ignores anything else).
import type { DomainEvent } from "../../../../platform/events/types";
import { isTaskEvent } from "../../../../platform/events/types";
import { actionLines, alertFacts, alertLinks, alertSummary, failingLines } from "../../on-call/alert";
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

/** The custom_details field that tells what Steward's remediation did about the alert and how it ended. */
export const DONE_DETAIL = "What Steward did";

export function pagerDutyEvent(
  cfg: PagerDutyChannelConfig,
  e: DomainEvent,
  step: OnCallStep,
  publicUrl: string | undefined,
  vars?: Record<string, unknown>,
): PagerDutyEvent {
  if (step.action === "note") return pagerDutyOutcomeEvent(cfg, e, step.key, publicUrl, vars);
  const base = { routing_key: cfg.routingKey, event_action: step.action, dedup_key: step.key.slice(0, 255) };
  if (step.action !== "trigger") return base;
  const details: Record<string, unknown> = alertFacts(e);
  const lines = failingLines(e, LOG_MAX);
  if (lines) details["Failing lines"] = lines;
  const done = actionLines(vars);
  if (done.length > 0) details[DONE_DETAIL] = done.join("\n").slice(0, LOG_MAX);
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

/**
 * What Steward did, told to an open alert: the Events API v2 has no notes (those need a REST API key and the
 * incident's id), so the outcome goes as a trigger of the same dedup_key, severity info, before a resolve (which
 * carries nothing but the key) or on its own when the message would otherwise end the alert of a cause still open.
 * PagerDuty takes it into that alert (its log shows the event with the lines in custom_details) without paging again.
 */
export function pagerDutyOutcomeEvent(
  cfg: PagerDutyChannelConfig,
  e: DomainEvent,
  key: string,
  publicUrl: string | undefined,
  vars: Record<string, unknown> | undefined,
): PagerDutyEvent {
  const told = pagerDutyEvent(cfg, e, { action: "trigger", key }, publicUrl, vars);
  return { ...told, payload: { ...told.payload!, severity: "info" }, links: alertLinks(e, publicUrl) };
}
