// The browser loop's material: the Acknowledge and Snooze links of the mails the demo's capture inbox received, and
// six open incidents of six different causes to act on (an action on one cause must not touch another's incident).
import type { CapturedMail } from "../../../../src/show/demo/capture-types";
import { waitFor } from "../../../helpers/wait-for";

export interface MailLink {
  incident: number;
  action: string;
  url: string;
  recipient: string;
}

const LINK = /href="(http:\/\/127\.0\.0\.1:\d+\/act\/incident\/(\d+)\?[^"]+)"/g;
const unescapeHtml = (s: string) => s.replaceAll("&amp;", "&").replaceAll("&#38;", "&");

export function linksIn(mail: CapturedMail): MailLink[] {
  return [...(mail.html ?? "").matchAll(LINK)].map((m) => {
    const url = unescapeHtml(m[1]!);
    const q = new URL(url).searchParams;
    return { incident: Number(m[2]), action: q.get("a") ?? "", url, recipient: q.get("r") ?? "" };
  });
}

/** An incident's Acknowledge and Snooze links, both made for the same recipient. */
export interface MailedIncident {
  ack: MailLink;
  snooze: MailLink;
}

function mailedIncidents(mails: CapturedMail[]): Map<number, MailedIncident> {
  const byIncident = new Map<number, MailLink[]>();
  for (const mail of mails)
    for (const l of linksIn(mail)) {
      const seen = byIncident.get(l.incident) ?? [];
      if (seen.length === 0 || seen[0]!.recipient === l.recipient) byIncident.set(l.incident, [...seen, l]);
    }
  const out = new Map<number, MailedIncident>();
  for (const [id, ls] of byIncident) {
    const ack = ls.find((l) => l.action === "ack");
    const snooze = ls.find((l) => l.action === "snooze");
    if (ack && snooze) out.set(id, { ack, snooze });
  }
  return out;
}

interface ByCause {
  causes: Array<{ cause: { id: number } | null; incidents: Array<{ id: number }> }>;
}

export interface LoopIncidents {
  chromium: MailedIncident[];
  firefox: MailedIncident[];
  /** Acted on from the dashboard in Firefox. */
  dashboard: { ack: number; snooze: number };
}

/**
 * Waits for six open incidents in six different groups of /v4/incidents/by-cause, four of them mailed with both
 * links. The dashboard's snooze goes to a cause of several tasks when there is one (its Snooze is on the cause's
 * heading), else to a task failing for its own reason.
 */
export function sixIncidents(steward: string, mails: () => CapturedMail[], said: () => string): Promise<LoopIncidents> {
  return waitFor(
    async () => {
      const groups = ((await (await fetch(`${steward}/v4/incidents/by-cause?limit=200`)).json()) as ByCause).causes.filter((g) => g.incidents.length > 0);
      const mailed = mailedIncidents(mails());
      const caused = groups.find((g) => g.cause !== null && !mailed.has(g.incidents[0]!.id)) ?? groups.find((g) => g.cause !== null);
      const rest = groups.filter((g) => g !== caused);
      const byMail = rest.filter((g) => mailed.has(g.incidents[0]!.id)).slice(0, 4);
      const left = [caused, ...rest.filter((g) => !byMail.includes(g))].filter((g) => g !== undefined);
      if (byMail.length < 4 || left.length < 2) return undefined;
      const links = byMail.map((g) => mailed.get(g.incidents[0]!.id)!);
      return {
        chromium: links.slice(0, 2),
        firefox: links.slice(2, 4),
        dashboard: { snooze: left[0]!.incidents[0]!.id, ack: left[1]!.incidents[0]!.id },
      };
    },
    { what: "six open incidents of six causes, four of them mailed with Acknowledge and Snooze links", timeoutMs: 120_000, intervalMs: 500 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nthe demo said:\n${said()}`);
  });
}
