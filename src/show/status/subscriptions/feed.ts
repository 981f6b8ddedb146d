// The Atom feed (RFC 4287) of what the business was told (the notices): "Sales dashboard will be late today", "Sales
// dashboard is fresh again", newest first, of every app, one app or one promise. For feed readers and the Teams or
// Outlook RSS connectors, which poll it; the same words as the mails.
import { createHash } from "node:crypto";
import type { Notice } from "./store";

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);

/** A stable URN for an id: the same notice keeps the same entry id in every Steward of the site. */
function urn(text: string): string {
  const h = createHash("sha256").update(text).digest("hex");
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface FeedInput {
  /** The feed's own address (rel="self"). */
  selfUrl: string;
  /** The page it reports on (rel="alternate"). */
  statusUrl: string;
  /** "Sales dashboard", a promise's words, or undefined for every app. */
  about?: string;
  /** Identifies the feed: the same for every Steward of the site. */
  scope: string;
  notices: readonly Notice[];
  /** The promises' late days of the last 90 (their record, issue 106), beside the notices. */
  lateDays?: readonly RecordEntry[];
  nowMs: number;
}

/** A late day of a promise's record, as a feed entry: the same words as /status. */
export interface RecordEntry {
  /** Stable per promise, app and deadline. */
  key: string;
  title: string;
  text: string;
  /** When the data was fresh again, else the deadline. */
  at: number;
}

export function atomFeed(f: FeedInput): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const records = (f.lateDays ?? []).map(
    (r) => `  <entry>
    <id>${urn(`steward-status-record|${r.key}`)}</id>
    <title>${xml(r.title)}</title>
    <updated>${iso(r.at)}</updated>
    <published>${iso(r.at)}</published>
    <link rel="alternate" type="text/html" href="${xml(f.statusUrl)}"/>
    <category term="record"/>
    <summary type="text">${xml(r.text)}</summary>
  </entry>`,
  );
  const updated = iso(Math.max(f.notices[0]?.at ?? 0, ...(f.lateDays ?? []).map((r) => r.at)) || f.nowMs);
  const entries = f.notices
    .map(
      (n) => `  <entry>
    <id>${urn(`steward-status-notice|${n.key}`)}</id>
    <title>${xml(n.title)}</title>
    <updated>${iso(n.at)}</updated>
    <published>${iso(n.at)}</published>
    <link rel="alternate" type="text/html" href="${xml(f.statusUrl)}"/>
    <category term="${n.word}"/>
    <summary type="text">${xml(n.text)}</summary>
  </entry>`,
    )
    .concat(records)
    .join("\n");
  const title = f.about ? `Is ${f.about} up to date?` : "Is the data up to date?";
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>${urn(`steward-status-feed|${f.scope}`)}</id>
  <title>${xml(title)}</title>
  <subtitle>When promised Qlik Sense apps will be late and when they are fresh again.</subtitle>
  <updated>${updated}</updated>
  <author><name>Steward</name></author>
  <generator>Steward</generator>
  <link rel="self" type="application/atom+xml" href="${xml(f.selfUrl)}"/>
  <link rel="alternate" type="text/html" href="${xml(f.statusUrl)}"/>
${entries}
</feed>
`;
}
