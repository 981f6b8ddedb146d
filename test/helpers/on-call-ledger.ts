// What the on-call products were told over a chaos run, judged against Steward's incidents (issue 84): an alert left
// open after its incident ended (or with no incident to end it), an acknowledgement made in Steward that never
// reached a product, a recovery sent before its page or where no page went, a page with no incident behind it, and
// an incident that should have paged and did not. Pure: the scenario hands it the requests each product accepted, in
// order, and what Steward and Alertmanager list at the end.
import type { VendorAction } from "./vendor-alerts";

export interface ProductLog {
  name: string;
  /** The requests the product accepted, in the order it took them. */
  steps: Array<{ action: VendorAction; key: string }>;
}

export interface LedgerInput {
  products: ProductLog[];
  /** Alertmanager: the steward_incident label of every alert ever seen, and of those still active at the end. */
  alertmanager: { seen: Set<string>; active: string[] };
  /** Steward's incidents (GET /v4/incidents, both statuses) by id. */
  incidents: Map<number, { status: "open" | "closed" }>;
  /** Incidents acknowledged through the API (200) while their task still failed, with time to tell the products. */
  acknowledged: Set<number>;
  /** Incidents every product should have been paged for (opened by a failure heard in time, no fault on its page). */
  shouldPage: Set<number>;
}

export interface Ledger {
  openAfterEnd: string[];
  acknowledgementsLost: string[];
  recoveriesBeforePage: string[];
  pagesWithoutIncident: string[];
  pagesLost: string[];
}

const PRODUCT_KEY = /^steward-incident-([1-9][0-9]*)$/;
const ALERTMANAGER_KEY = /^incident:([1-9][0-9]*)$/;

/** The incident a key names, if Steward has it. */
function incidentOf(key: string, pattern: RegExp, incidents: LedgerInput["incidents"]): number | undefined {
  const m = pattern.exec(key);
  const id = m ? Number(m[1]) : undefined;
  return id !== undefined && incidents.has(id) ? id : undefined;
}

export function judgeLedger(input: LedgerInput): Ledger {
  const out: Ledger = { openAfterEnd: [], acknowledgementsLost: [], recoveriesBeforePage: [], pagesWithoutIncident: [], pagesLost: [] };
  const ended = (id: number | undefined) => id === undefined || input.incidents.get(id)?.status === "closed";
  for (const p of input.products) {
    /** Per key: paged ever, open now, acknowledged while open. */
    const keys = new Map<string, { paged: boolean; open: boolean; acknowledged: boolean }>();
    for (const { action, key } of p.steps) {
      const k = keys.get(key) ?? { paged: false, open: false, acknowledged: false };
      keys.set(key, k);
      if (action === "trigger") {
        if (!k.paged && incidentOf(key, PRODUCT_KEY, input.incidents) === undefined) out.pagesWithoutIncident.push(`${p.name} ${key}`);
        k.paged = true;
        k.open = true;
      } else if (action === "resolve") {
        if (!k.paged) out.recoveriesBeforePage.push(`${p.name} ${key}`);
        k.open = false;
      } else if (k.open) k.acknowledged = true;
    }
    for (const [key, k] of keys) if (k.open && ended(incidentOf(key, PRODUCT_KEY, input.incidents))) out.openAfterEnd.push(`${p.name} ${key}`);
    for (const id of input.acknowledged) {
      const k = keys.get(`steward-incident-${id}`);
      if (k?.paged && !k.acknowledged) out.acknowledgementsLost.push(`${p.name} incident ${id}`);
    }
    for (const id of input.shouldPage) if (!keys.get(`steward-incident-${id}`)?.paged) out.pagesLost.push(`${p.name} incident ${id}`);
  }
  for (const label of input.alertmanager.seen)
    if (incidentOf(label, ALERTMANAGER_KEY, input.incidents) === undefined) out.pagesWithoutIncident.push(`alertmanager ${label}`);
  for (const label of input.alertmanager.active)
    if (ended(incidentOf(label, ALERTMANAGER_KEY, input.incidents))) out.openAfterEnd.push(`alertmanager ${label}`);
  return out;
}

/** The counts, one line each, as the scenario prints them. */
export function describeLedger(l: Ledger): string {
  const line = (what: string, items: string[]) =>
    `${what}: ${items.length}${items.length ? ` (${items.slice(0, 12).join(", ")}${items.length > 12 ? ", …" : ""})` : ""}`;
  return [
    line("alerts left open in a product after their incident ended", l.openAfterEnd),
    line("acknowledgements lost", l.acknowledgementsLost),
    line("recoveries before their page or where no page went", l.recoveriesBeforePage),
    line("pages without an incident", l.pagesWithoutIncident),
    line("pages lost", l.pagesLost),
  ].join("\n");
}

/** What a message channel (a webhook) received: each page or recovery, in the order it came, with its incident. */
export interface MessageLog {
  name: string;
  received: Array<{ kind: string; incident: number | undefined; delivery?: string; at?: number }>;
}

export interface FollowUpLedger {
  /** A recovery that came with no page of its incident before it on this channel (never paged here, or paged after). */
  recoveriesWithoutPage: string[];
  /** A page of an incident that ended, never followed by its recovery on this channel. */
  pagesNotFollowed: string[];
}

/** A channel that takes recoveries on a route of their own: every recovery follows a page it got, every page is followed. */
export function judgeFollowUps(log: MessageLog, incidents: LedgerInput["incidents"]): FollowUpLedger {
  const out: FollowUpLedger = { recoveriesWithoutPage: [], pagesNotFollowed: [] };
  const paged = new Set<number>();
  /** Paged, and no recovery came after the page yet. */
  const awaiting = new Set<number>();
  for (const { kind, incident } of log.received) {
    if (incident === undefined) continue;
    if (kind === "task.recovered") {
      if (!paged.has(incident)) out.recoveriesWithoutPage.push(`${log.name} incident ${incident}`);
      awaiting.delete(incident);
    } else {
      paged.add(incident);
      awaiting.add(incident);
    }
  }
  for (const id of awaiting) if (incidents.get(id)?.status === "closed") out.pagesNotFollowed.push(`${log.name} incident ${id}`);
  return out;
}
