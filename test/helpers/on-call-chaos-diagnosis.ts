// When the on-call chaos scenario finds a fault, the story of a few of them, so that a failing run says what went
// wrong and not only how often: an alert left open, told in the order the product took its requests (seconds into
// the run), beside its incident as Steward shows it; a task that failed but was never listed as an incident, with its
// runs as Steward's history has them (GET /v4/runs).
import type { ProductLog } from "./on-call-ledger";

interface Received {
  at: number;
  action: string;
  key: string;
}

export async function diagnose(o: {
  base: string;
  started: number;
  products: Array<{ name: string; received: Received[] }>;
  openAfterEnd: string[];
  neverListed: string[];
  /** "pagerduty incident 12" as the ledger names a page lost. */
  pagesLost: string[];
  /** "webhook incident 12" as judgeFollowUps names a recovery that came without its page, and the webhook's requests. */
  recoveriesWithoutPage?: { items: string[]; channel: string; received: Array<{ at?: number; kind: string; incident: number | undefined; delivery?: string }> };
}): Promise<string> {
  const lines: string[] = [];
  const secs = (t: number) => `${((t - o.started) / 1000).toFixed(1)} s`;
  for (const item of o.openAfterEnd.slice(0, 4)) {
    const [product, key] = item.split(" ") as [string, string];
    const got = o.products.find((p) => p.name === product)?.received.filter((r) => r.key === key) ?? [];
    // PagerDuty, Opsgenie and JSM key an alert steward-incident-<id>; Alertmanager's label is incident:<id>.
    const id = (/^steward-incident-(\d+)$/.exec(key) ?? /^incident:(\d+)$/.exec(key))?.[1];
    const incident = id
      ? ((await fetch(`${o.base}/v4/incidents/${id}`)
          .then((r) => r.json())
          .catch(() => undefined)) as Record<string, unknown> | undefined)
      : undefined;
    const shown = incident
      ? `incident ${id} ${incident.status}, opened ${String(incident.openedAt).slice(11, 23)}, closed ${String(incident.closedAt).slice(11, 23)} (${incident.closedSummary ?? ""})`
      : "no incident";
    lines.push(`left open: ${product} ${key}: ${got.map((r) => `${r.action} at ${secs(r.at)}`).join(", ")}; ${shown}`);
  }
  const lost = o.pagesLost.filter((x) => x.startsWith("pagerduty ")).slice(0, 3);
  const deliveries = lost.length ? await channelDeliveries(o.base, "pd") : [];
  for (const item of lost) {
    const id = item.split(" ").at(-1);
    const inc = (await fetch(`${o.base}/v4/incidents/${id}`)
      .then((r) => r.json())
      .catch(() => ({}))) as Record<string, unknown>;
    const mine = deliveries.filter((d) => d.eventTitle === inc.subject || d.eventTitle === inc.title);
    const near = mine.filter((d) => Math.abs(Date.parse(String(d.createdAt)) - Date.parse(String(inc.openedAt))) < 60_000);
    lines.push(
      `page lost: incident ${id} (${inc.subject ?? inc.title}, opened ${String(inc.openedAt).slice(11, 23)}, closed ${String(inc.closedAt).slice(11, 23)}); its PagerDuty deliveries: ${
        near
          .map(
            (d) =>
              `${d.kind} ${d.status}${d.reason ? ` (${d.reason})` : ""} ${d.attempts} attempts, created ${String(d.createdAt).slice(11, 23)}${d.lastError ? `, ${d.lastError}` : ""}`,
          )
          .join("; ") || "none"
      }`,
    );
  }
  const unpaged = o.recoveriesWithoutPage;
  const hookDeliveries = unpaged?.items.length ? await channelDeliveries(o.base, unpaged.channel) : [];
  for (const item of unpaged?.items.slice(0, 3) ?? []) {
    const id = item.split(" ").at(-1);
    const inc = (await fetch(`${o.base}/v4/incidents/${id}`)
      .then((r) => r.json())
      .catch(() => ({}))) as Record<string, unknown>;
    const title = inc.subject ?? inc.title;
    const mine = hookDeliveries.filter((d) => d.eventTitle === title && Math.abs(Date.parse(String(d.createdAt)) - Date.parse(String(inc.openedAt))) < 120_000);
    const got = unpaged!.received.filter((r) => r.incident === Number(id));
    lines.push(
      `recovery without its page: incident ${id} (${title}, opened ${String(inc.openedAt).slice(11, 23)} by ${inc.lastEventId}, closed ${String(inc.closedAt).slice(11, 23)} by ${inc.closedByEventId}); the channel got: ${
        got.map((r) => `${r.kind} ${r.delivery ?? ""} at ${secs(r.at ?? 0)}`).join(", ") || "nothing"
      }; its deliveries there: ${
        mine
          .map(
            (d) =>
              `#${d.id} ${d.key} ${d.kind} ${d.eventId} ${d.status}${d.reason ? ` (${d.reason})` : ""} ${d.attempts} attempts, created ${String(d.createdAt).slice(11, 23)}, delivered ${String(d.deliveredAt).slice(11, 23)}${d.lastError ? `, ${d.lastError}` : ""}`,
          )
          .join("; ") || "none"
      }`,
    );
  }
  for (const task of o.neverListed.slice(0, 3)) {
    const runs = (await fetch(`${o.base}/v4/runs?taskId=${task}&limit=8`)
      .then((r) => r.json())
      .catch(() => ({ runs: [] }))) as { runs?: Array<Record<string, unknown>> };
    lines.push(
      `never listed: task ${task}: ${(runs.runs ?? [])
        .map(
          (r) =>
            `${r.outcome} ${String(r.finishedAt ?? "").slice(11, 23)} incident ${r.incidentId ?? "-"}${r.heardAfterSuccess ? " (heard after success)" : ""}`,
        )
        .join("; ")}`,
    );
  }
  return lines.join("\n");
}

/** The product's requests with when it took them, as diagnose() reads them. */
export function receivedOf(p: ProductLog, at: number[]): Received[] {
  return p.steps.map((s, i) => ({ at: at[i] ?? 0, action: s.action, key: s.key }));
}

/** A channel's deliveries, newest first (up to 3,000). */
async function channelDeliveries(base: string, channel: string): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let before: number | null | undefined;
  for (let i = 0; i < 3 && before !== null; i++) {
    const page = (await fetch(`${base}/v4/deliveries?channel=${channel}&limit=1000${before ? `&before=${before}` : ""}`)
      .then((r) => r.json())
      .catch(() => ({ deliveries: [], nextBefore: null }))) as { deliveries: Array<Record<string, unknown>>; nextBefore: number | null };
    out.push(...page.deliveries);
    before = page.nextBefore;
  }
  return out;
}
