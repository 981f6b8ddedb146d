// The parent incident's shape as each channel shows it (the cause's title, "25 tasks, 12 apps, 3 streams affected",
// the names, the link): added by the channels to what their templates render, so every template of every event
// kind shows it without each repeating it. Only alerts a grouping rule decided on carry a cause.
import type { CauseSummary } from "../../platform/events/cause-summary";
import type { Notification } from "./types";
import { messageTime } from "../../platform/core/time-text";

export function causeOf(n: Pick<Notification, "digest" | "event">): CauseSummary | undefined {
  return n.digest ? undefined : n.event.cause;
}

/** The site's zone the notification's times are in (its template variables carry it). */
export function zoneOf(n: Pick<Notification, "vars">): string {
  return typeof n.vars.timeZone === "string" ? n.vars.timeZone : "UTC";
}

/** "2026-11-25 14:29 CET": a cause's times on the site's clock, with the zone's name, as every time in a message. */
function at(iso: string, zone: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? messageTime(ms, zone) : iso;
}

export function causeHeadline(c: CauseSummary): string {
  const state = c.status === "closed" ? (c.resolvedBy ? `Resolved by ${c.resolvedBy}` : "Recovered") : c.update ? "Update" : "Open";
  return `${state}: cause #${c.id}, ${c.title}`;
}

/** On an update page: "Since the last page (2026-11-25 01:02 CET), 3 more affected: Load 7, Load 8, App 3". */
function updateLines(c: CauseSummary, zone: string): string[] {
  const u = c.update;
  if (!u) return [];
  const names = [...u.tasks, ...u.apps];
  return [`Since the last page (${at(u.since, zone)}), ${u.count} more affected: ${names.join(", ")}${u.count > names.length ? " …" : ""}`];
}

const named = (label: string, names: readonly string[], total: number) =>
  names.length === 0 ? [] : [`${label}: ${names.join(", ")}${total > names.length ? ` and ${total - names.length} more` : ""}`];

/** Since when, and what did not run: on the recovered page, what to start again rather than wait for its next run. */
function spanLines(c: CauseSummary, zone: string): string[] {
  // An update says since its last page instead.
  const since = c.openedAt && !c.update ? [c.status === "closed" ? `Began ${at(c.openedAt, zone)}` : `Since ${at(c.openedAt, zone)}`] : [];
  // On the recovered page, the promises the cause left late (its chain stopped and did not run again yet).
  const risk = c.status === "open" ? "Promises at risk" : "Promises still at risk";
  const promises = c.promisesAtRisk?.length ? [`${risk}: ${c.promisesAtRisk.join(", ")}`] : [];
  const missed = c.didNotRun ?? [];
  if (missed.length === 0) return [...since, ...promises];
  const label = c.status === "closed" ? "Did not run while it lasted (start again if their data is needed before their next run)" : "Did not start so far";
  return [...since, ...promises, `${label}: ${missed.join(", ")}`];
}

/** "Retrying Load 01 at 02:21 UTC to see whether the source is back (remediation rule r); 11 other tasks will be retried once it succeeds". */
function tryingLines(c: CauseSummary, zone: string): string[] {
  const t = c.trying;
  if (!t || c.status !== "open") return [];
  const others = t.waiting === 0 ? "" : `; ${t.waiting === 1 ? "1 other task" : `${t.waiting} other tasks`} will be retried once it succeeds`;
  return [`Retrying ${t.task} at ${at(t.at, zone)} to see whether the source is back (remediation rule ${t.rule})${others}`];
}

/** "2 tasks, 1 app affected; 1 still failing": only what is affected is counted, so a cause naming nothing yet has no count. */
function affectedLine(c: CauseSummary): string[] {
  const failing = c.stillFailing > 0 ? `${c.stillFailing} still failing` : "";
  const line = [c.text, failing].filter(Boolean).join("; ");
  return line ? [line] : [];
}

/** The cause as plain lines: headline, counts, names, link; its times in `zone` (the site's). */
export function causeLines(c: CauseSummary, zone: string): string[] {
  return [
    causeHeadline(c),
    ...spanLines(c, zone),
    ...tryingLines(c, zone),
    ...updateLines(c, zone),
    ...affectedLine(c),
    ...named("Tasks", c.tasks, c.counts.tasks),
    ...named("Apps", c.apps, c.counts.apps),
    ...named("Streams", c.streams, c.counts.streams),
    ...(c.url ? [`Every symptom: ${c.url}`] : []),
  ];
}

const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Mail: a block at the top of the body, and the lines at the top of the text part. */
export function withCauseHtml(body: string, c: CauseSummary, zone: string): string {
  const [head, ...rest] = causeLines(c, zone);
  const link = c.url ? `<p><a href="${html(c.url)}">Every symptom of cause #${c.id}</a></p>` : "";
  const lines = (c.url ? rest.slice(0, -1) : rest).map((l) => `<p style="margin:4px 0">${html(l)}</p>`).join("");
  const block = `<div class="steward-cause" style="border-left:4px solid #c0392b;padding:8px 12px;margin:0 0 16px 0;font-family:sans-serif"><p style="margin:4px 0"><strong>${html(head!)}</strong></p>${lines}${link}</div>`;
  const m = /<body[^>]*>/i.exec(body);
  return m ? body.slice(0, m.index + m[0].length) + block + body.slice(m.index + m[0].length) : block + body;
}

export const withCauseText = (text: string, c: CauseSummary, zone: string): string => `${causeLines(c, zone).join("\n")}\n\n${text}`;

const mrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const cardText = (s: string) => s.replace(/[\\`*_~[\]()<>#|!{}]/g, "\\$&");

/** Slack: a section after the header block (Slack caps a section's text at 3,000 characters). */
export function addCauseToSlack(payload: Record<string, unknown>, c: CauseSummary, zone: string): void {
  const [head, ...rest] = causeLines(c, zone);
  const section = { type: "section", text: { type: "mrkdwn", text: `*${mrkdwn(head!)}*\n${rest.map(mrkdwn).join("\n")}`.slice(0, 3_000) } };
  if (Array.isArray(payload.blocks)) payload.blocks.splice(1, 0, section);
  else payload.blocks = [section];
}

/** Teams: text blocks after the card's first block. */
export function addCauseToTeams(payload: Record<string, unknown>, c: CauseSummary, zone: string): void {
  const attachments = payload.attachments as Array<{ content?: { body?: unknown[] } }> | undefined;
  const body = attachments?.[0]?.content?.body;
  if (!Array.isArray(body)) return;
  const [head, ...rest] = causeLines(c, zone);
  body.splice(
    1,
    0,
    { type: "TextBlock", text: cardText(head!), weight: "Bolder", color: c.status === "closed" ? "Good" : "Attention", wrap: true },
    { type: "TextBlock", text: rest.map(cardText).join("\n\n").slice(0, 4_000), wrap: true },
  );
}

/** Flat fields for receivers that take scalars (webhook query strings, SIGNL4, New Relic). */
export function causeFields(c: CauseSummary): Record<string, string | number> {
  return {
    causeId: c.id,
    causeTitle: c.title,
    causeStatus: c.status,
    causeAffected: c.text,
    causeTasks: c.tasks.join(", ").slice(0, 4_000),
    causeApps: c.apps.join(", ").slice(0, 4_000),
    causeStreams: c.streams.join(", ").slice(0, 4_000),
    ...(c.url ? { causeUrl: c.url } : {}),
  };
}
