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
  const deliveries = lost.length ? await pagerDutyDeliveries(o.base) : [];
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

/** The pd channel's deliveries, newest first (up to 3,000). */
async function pagerDutyDeliveries(base: string): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let before: number | null | undefined;
  for (let i = 0; i < 3 && before !== null; i++) {
    const page = (await fetch(`${base}/v4/deliveries?channel=pd&limit=1000${before ? `&before=${before}` : ""}`)
      .then((r) => r.json())
      .catch(() => ({ deliveries: [], nextBefore: null }))) as { deliveries: Array<Record<string, unknown>>; nextBefore: number | null };
    out.push(...page.deliveries);
    before = page.nextBefore;
  }
  return out;
}
