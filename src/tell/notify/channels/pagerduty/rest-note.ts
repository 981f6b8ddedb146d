// A note on the PagerDuty incident of an alert, through PagerDuty's REST API (the Events API v2 has none): the open
// incident whose incident_key is the alert's dedup_key (PagerDuty gives an incident an alert opened the alert's key),
// then POST /incidents/{id}/notes as the configured user. Used only with the channel's `notes` block.
import type { HttpClient } from "../../../../platform/http/http-client";
import { expectOk } from "../../../../platform/http/http-client";
import type { PagerDutyChannelConfig } from "./schema";

/** PagerDuty's limit on a note's content. */
const NOTE_MAX = 25_000;

type NotesConfig = NonNullable<PagerDutyChannelConfig["notes"]>;

/**
 * Adds `content` as a note on the open incident of `dedupKey`; false when PagerDuty has no open incident of that key
 * (merged into another by alert grouping, or resolved there): the caller then tells the alert through the Events API.
 */
export async function addIncidentNote(client: HttpClient, cfg: NotesConfig, dedupKey: string, content: string, signal: AbortSignal): Promise<boolean> {
  const base = cfg.url.replace(/\/+$/, "");
  const headers = { Accept: "application/vnd.pagerduty+json;version=2", Authorization: `Token token=${cfg.apiKey}`, "Content-Type": "application/json" };
  const query = new URLSearchParams([
    ["incident_key", dedupKey],
    ["statuses[]", "triggered"],
    ["statuses[]", "acknowledged"],
  ]);
  const found = await client.request(`${base}/incidents?${query}`, { method: "GET", headers, signal });
  expectOk(found, "PagerDuty REST API (list incidents)");
  const id = (JSON.parse(found.text) as { incidents?: Array<{ id?: unknown }> }).incidents?.[0]?.id;
  if (typeof id !== "string") return false;
  const res = await client.request(`${base}/incidents/${encodeURIComponent(id)}/notes`, {
    method: "POST",
    headers: { ...headers, From: cfg.from },
    body: JSON.stringify({ note: { content: content.length <= NOTE_MAX ? content : `${content.slice(0, NOTE_MAX - 1)}…` } }),
    signal,
  });
  expectOk(res, "PagerDuty REST API (create a note)");
  return true;
}
