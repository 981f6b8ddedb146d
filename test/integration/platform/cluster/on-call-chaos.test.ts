// Issue 84, as an on-call team lives it: three Stewards on one PostgreSQL, one per node of a simulated site, paging
// strict local PagerDuty, Opsgenie and Jira Service Management receivers (each request checked against the vendor's
// published format) and a real Alertmanager. Rounds of tasks fail at once and succeed again later, each failure an
// incident, under faults: a failed run whose datagrams are lost, its task succeeding before reconciliation finds the
// failure; a failure and a success of one task heard by two members 0.1 s apart; every incident acknowledged through
// the API the moment it is listed; the member holding the most duties SIGKILLed (started again 3 s later) with a round
// in flight; PostgreSQL stopped 20 s while a round fails. At the end every task has succeeded, and it prints and
// asserts: 0 alerts left open in any product after their incident ended, 0 acknowledgements lost, 0 recoveries before
// their page or where no page went, 0 pages without an incident (and 0 pages lost, 0 requests refused; an incident
// listed open whose Steward was killed before queueing its page, and whose task succeeded before the run was handled
// again, is paged nowhere by design, docs/channels.md: Steward's record must show both pages held back for that). A webhook
// paged for the failures run on Central and told recoveries by a route that takes only them: 0 recoveries of an
// incident it was not paged for (or before its page), 0 pages it got left without their recovery.
// STEWARD_CHAOS_INCIDENTS (default 300) sets how many incidents the rounds open.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { acknowledgeAsListed } from "../../../helpers/acknowledge-as-listed";
import { NODES, type OnCallChaosSite, startOnCallChaosSite } from "../../../helpers/on-call-chaos-site";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { diagnose, receivedOf } from "../../../helpers/on-call-chaos-diagnosis";
import { endedBeforePage } from "../../../helpers/ended-before-page";
import { describeLedger, judgeFollowUps, judgeLedger, type MessageLog, type ProductLog } from "../../../helpers/on-call-ledger";
import type { VendorAction } from "../../../helpers/vendor-alerts";
import { waitFor } from "../../../helpers/wait-for";

const INCIDENTS = Number(process.env.STEWARD_CHAOS_INCIDENTS ?? 300);
/** Tasks failing at once in a round, each opening an incident. */
const PER_ROUND = 50;
/** Per round: tasks whose failure's datagrams are lost and that succeed before reconciliation, and tasks whose failure
 * and success two members hear 0.1 s apart. */
const LOST = 2;
const SPLIT = 2;
const ROUNDS = Math.ceil(INCIDENTS / PER_ROUND);
/** The rounds of the kill and of the store's outage: apart when there are two rounds or more. */
const KILL_ROUND = Math.min(2, Math.floor((ROUNDS - 1) / 2));
const STORE_ROUND = Math.min(5, ROUNDS - 1);
const STORE_DOWN_MS = 20_000;

let site: OnCallChaosSite;
beforeAll(async () => {
  site = await startOnCallChaosSite(PER_ROUND + LOST + SPLIT);
}, 120_000);
afterAll(() => site?.stop());

/** Runs the task once on `node` (waiting while it still runs), returns its execution id. */
async function run(task: string, outcome: "fail" | "succeed", node: string): Promise<string> {
  const until = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${site.sim.urls.control}/tasks/${task}/run`, {
      method: "POST",
      headers: { "content-type": "application/json", connection: "close" },
      body: JSON.stringify({ outcome, durationMs: 60, node }),
    });
    if (res.status === 201) return ((await res.json()) as { executionId: string }).executionId;
    if (res.status !== 409 || Date.now() > until) throw new Error(`run ${task}: ${res.status} ${await res.text()}`);
    await Bun.sleep(20);
  }
}
const idle = (task: string) =>
  waitFor(async () => !((await site.control("GET", `/tasks/${task}`)) as { running: boolean }).running, { what: `${task} idle`, intervalMs: 20 });

const steps = (r: OnCallReceiver<{ event_action: VendorAction; dedup_key?: string }>) =>
  r.accepted.map((x) => ({ action: x.body.event_action, key: x.body.dedup_key ?? "" }));
const ogSteps = (r: OnCallReceiver<{ op: "create" | "acknowledge" | "close" | "notes"; key: string }>) =>
  r.accepted.map((x) => ({
    action: (x.body.op === "create" ? "trigger" : x.body.op === "close" ? "resolve" : x.body.op === "notes" ? "note" : "acknowledge") as VendorAction,
    key: x.body.key,
  }));
const products = (): ProductLog[] => [
  { name: "pagerduty", steps: steps(site.pd) },
  { name: "opsgenie", steps: ogSteps(site.og) },
  { name: "jsm", steps: ogSteps(site.jsm) },
];
/** The webhook's requests: the page or recovery each was, and its incident (the body's incident.id). */
const hookLog = (): MessageLog => ({
  name: "webhook",
  received: site.hook.requests.map((r) => {
    const body = JSON.parse(r.body) as { incident?: { id?: number } };
    return { kind: r.headers.get("x-steward-event") ?? "", incident: body.incident?.id, delivery: r.headers.get("x-steward-delivery") ?? undefined, at: r.at };
  }),
});
/** The webhook's pages or recoveries that came twice (the same delivery sent again: a Steward killed after sending it and
 * before recording it, so another sent it once its lease ran out), with the seconds between the two. */
const twice = (log: MessageLog): string[] => {
  const first = new Map<string, { at: number; delivery: string | undefined }>();
  const out: string[] = [];
  for (const r of log.received) {
    const key = `${r.kind} of incident ${r.incident}`;
    const was = first.get(key);
    if (was === undefined) first.set(key, { at: r.at ?? 0, delivery: r.delivery });
    else out.push(`${key} ${(((r.at ?? 0) - was.at) / 1000).toFixed(1)} s apart, ${was.delivery === r.delivery ? "the same delivery" : "another delivery"}`);
  }
  return out;
};
const acknowledgedEverywhere = (id: number) =>
  [site.pd, site.og, site.jsm].every((r) => r.alerts.some((a) => a.key === `steward-incident-${id}` && a.status === "acknowledged"));

async function allIncidents(): Promise<Map<number, { status: "open" | "closed" }>> {
  const out = new Map<number, { status: "open" | "closed" }>();
  const m = site.members.find((x) => !x.down)!;
  for (const status of ["open", "closed"] as const) {
    let after: string | null = null;
    do {
      const page = (await (await fetch(`${m.base}/v4/incidents?status=${status}&limit=1000${after ? `&after=${encodeURIComponent(after)}` : ""}`)).json()) as {
        incidents: Array<{ id: number }>;
        next: string | null;
      };
      for (const i of page.incidents) out.set(i.id, { status });
      after = page.next;
    } while (after);
  }
  return out;
}

test(`on-call chaos: ${INCIDENTS} incidents paged to PagerDuty, Opsgenie, JSM and Alertmanager under lost datagrams, split hearing, instant acknowledgements, a kill and a store outage`, {
  timeout: 600_000,
}, async () => {
  const started = Date.now();
  const normal = site.tasks.slice(0, PER_ROUND);
  const lost = site.tasks.slice(PER_ROUND, PER_ROUND + LOST);
  const split = site.tasks.slice(PER_ROUND + LOST);
  const acker = acknowledgeAsListed(() => site.members.filter((m) => !m.down));
  const amSeen = new Set<string>();
  let watching = true;
  const amWatch = (async () => {
    while (watching) {
      for (const l of await site.alertmanagerLabels().catch(() => [])) amSeen.add(l);
      await Bun.sleep(1_000);
    }
  })();
  const acknowledged = new Set<number>();
  const shouldPage = new Set<number>();
  const notes: string[] = [];
  const neverListed: string[] = [];
  let rounds = 0;
  let unheard = 0;

  // A round more (two at most) while fewer incidents than asked for opened: a further failure carried on by an open
  // incident is no new one.
  for (let r = 0; r < ROUNDS || (r < ROUNDS + 2 && acker.listed.size < INCIDENTS); r++) {
    const roundStart = Date.now();
    // Lost datagrams: the run fails unheard, its task succeeds (heard) before reconciliation finds the failure.
    for (const [i, t] of lost.entries()) {
      await site.control("PATCH", "/udp", { dropNext: 1_000 });
      await run(t, "fail", NODES[(r + i) % 3]!);
      await idle(t);
      // The fault happened: the run's datagrams are among the simulator's latest, dropped.
      if (
        site.sim.udp
          .recent()
          .slice(-4)
          .some((d) => d.dropped)
      )
        unheard++;
      await site.control("PATCH", "/udp", { dropNext: 0 });
      await run(t, "succeed", NODES[(r + i) % 3]!);
    }
    let storeHalted = 0;
    if (r === STORE_ROUND) {
      await site.pg.halt("fast");
      storeHalted = Date.now();
    }
    // A failure heard by one member, the task's success 0.1 s later by another.
    await Promise.all(
      split.map(async (t, i) => {
        await run(t, "fail", NODES[(r + i) % 3]!);
        await Bun.sleep(100);
        await run(t, "succeed", NODES[(r + i + 1) % 3]!);
      }),
    );
    await Promise.all(normal.map((t, i) => run(t, "fail", NODES[(r + i) % 3]!)));
    let restarted: Promise<void> = Promise.resolve();
    if (r === KILL_ROUND) {
      const holder = await site.dutyHolder();
      if (holder) {
        await site.kill(holder.member);
        notes.push(`SIGKILLed ${holder.member.name} (holding ${holder.duties.join(", ") || "no duty"}) ${((Date.now() - started) / 1000).toFixed(1)} s in`);
        restarted = Bun.sleep(3_000).then(() => site.restart(holder.member));
      }
    }
    if (storeHalted) {
      await Bun.sleep(Math.max(0, STORE_DOWN_MS - (Date.now() - storeHalted)));
      await site.pg.resume();
      notes.push(`PostgreSQL stopped ${((Date.now() - storeHalted) / 1000).toFixed(1)} s in round ${r + 1}`);
    }
    // Each task of the round listed with an open incident (a new one, or one a further failure carried on: a success
    // heard before the store went away and handled after the next failure does not close it, by design) and
    // acknowledged at once; then the products told (bounded: a lost acknowledgement is counted, not waited for).
    const failedAt = Date.now();
    const mine = () => [...acker.listed.values()].filter((l) => l.listedAt >= roundStart && l.taskId !== null && normal.includes(l.taskId));
    await waitFor(() => (acker.open.askedAt >= failedAt && normal.every((t) => acker.open.tasks.has(t))) || undefined, {
      what: "every task of the round listed with an open incident",
      timeoutMs: 60_000,
    }).catch(() => {
      const missing = normal.filter((t) => !acker.open.tasks.has(t));
      neverListed.push(...missing);
      notes.push(`round ${r + 1}: ${missing.length} failed tasks not listed with an open incident in 60 s`);
    });
    await waitFor(() => mine().every((l) => l.ack !== undefined) || undefined, { what: "the acknowledgements answered", timeoutMs: 30_000 });
    const acked = mine().filter((l) => l.ack === 200);
    await waitFor(() => acked.every((l) => acknowledgedEverywhere(l.id)) || undefined, { what: "acknowledgements told", timeoutMs: 10_000 }).catch(() => {});
    notes.push(`round ${r + 1}: ${mine().length} incidents listed, ${acked.length} acknowledged, ${((Date.now() - roundStart) / 1000).toFixed(1)} s to here`);
    for (const l of mine()) shouldPage.add(l.id);
    for (const l of acked) acknowledged.add(l.id);
    await restarted;
    await Promise.all(normal.map((t, i) => run(t, "succeed", NODES[(r + i + 1) % 3]!)));
    await Promise.all(site.tasks.map(idle));
    rounds++;
  }

  // Every task has succeeded: wait (bounded) for every incident to end and every product to hear of it.
  await acker.stop();
  const settled = async () => {
    const open = [...(await allIncidents()).values()].some((i) => i.status === "open");
    const l = judgeLedger({
      products: products(),
      alertmanager: { seen: new Set(), active: await site.alertmanagerLabels() },
      incidents: await allIncidents(),
      acknowledged: new Set(),
      shouldPage: new Set(),
    });
    return !open && l.openAfterEnd.length === 0 && judgeFollowUps(hookLog(), await allIncidents()).pagesNotFollowed.length === 0;
  };
  await waitFor(settled, { what: "every incident ended everywhere", timeoutMs: 60_000, intervalMs: 1_000 }).catch(() =>
    notes.push("not settled 60 s after the last round"),
  );
  await Bun.sleep(3_000); // a late page or recovery would come now
  watching = false;
  await amWatch;
  const incidents = await allIncidents();
  const ledger = judgeLedger({
    products: products(),
    alertmanager: { seen: amSeen, active: await site.alertmanagerLabels() },
    incidents,
    acknowledged,
    shouldPage,
  });
  // A listed incident that closed before its page could be queued (its Steward killed in between, the task's success
  // recorded first) is paged nowhere, as docs/channels.md says; Steward's own record must show it, or it is a page lost.
  const base = site.members.find((m) => !m.down)!.base;
  const CHANNEL: Record<string, string> = { pagerduty: "pd", opsgenie: "og", jsm: "jsm" };
  const endedFirst: string[] = [];
  for (const item of ledger.pagesLost) {
    const [product, , id] = item.split(" ") as [string, string, string];
    if (await endedBeforePage((path) => fetch(base + path), Number(id), CHANNEL[product]!)) endedFirst.push(item);
  }
  const pagesLost = ledger.pagesLost.filter((x) => !endedFirst.includes(x));
  const hook = judgeFollowUps(hookLog(), incidents);
  const hookKinds = hookLog().received.map((r) => r.kind);
  const stillOpen = [...incidents].filter(([, i]) => i.status === "open").map(([id]) => id);
  const report = [
    `${incidents.size} incidents (${stillOpen.length} still open${stillOpen.length ? `: ${stillOpen.slice(0, 10).join(", ")}` : ""}) over ${rounds} rounds in ${((Date.now() - started) / 1000).toFixed(0)} s; ${acknowledged.size} acknowledged through the API the moment they were listed`,
    `${unheard} failed runs unheard (their datagrams dropped), each task succeeding before reconciliation; ${SPLIT * rounds} failures and successes heard by two members 0.1 s apart`,
    `requests accepted: PagerDuty ${site.pd.accepted.length}, Opsgenie ${site.og.accepted.length}, JSM ${site.jsm.accepted.length}; refused as malformed: ${site.pd.rejected.length + site.og.rejected.length + site.jsm.rejected.length}`,
    ...notes,
    describeLedger({ ...ledger, pagesLost }),
    `incidents that ended before their page could be queued (paged nowhere, both pages recorded as not sent): ${endedFirst.length}${endedFirst.length ? ` (${endedFirst.slice(0, 6).join(", ")})` : ""}`,
    `webhook (paged for Central's failures, recoveries on a route of their own): ${hookKinds.filter((k) => k === "task.failed").length} pages, ${hookKinds.filter((k) => k === "task.recovered").length} recoveries${twice(hookLog()).length ? ` (received twice: ${twice(hookLog()).slice(0, 6).join(", ")})` : ""}`,
    `webhook recoveries of an incident not paged there, or before its page: ${hook.recoveriesWithoutPage.length}${hook.recoveriesWithoutPage.length ? ` (${hook.recoveriesWithoutPage.slice(0, 12).join(", ")})` : ""}`,
    `webhook pages left without their recovery: ${hook.pagesNotFollowed.length}${hook.pagesNotFollowed.length ? ` (${hook.pagesNotFollowed.slice(0, 12).join(", ")})` : ""}`,
    await diagnose({
      base,
      started,
      products: products().map((p, i) => ({
        name: p.name,
        received: receivedOf(
          p,
          [site.pd, site.og, site.jsm][i]!.accepted.map((x) => x.at),
        ),
      })),
      openAfterEnd: ledger.openAfterEnd,
      neverListed,
      pagesLost,
      recoveriesWithoutPage: { items: hook.recoveriesWithoutPage, channel: "hook", received: hookLog().received },
    }),
  ].join("\n");
  console.log(report);
  expect([...site.pd.rejected, ...site.og.rejected, ...site.jsm.rejected], report).toEqual([]);
  expect(incidents.size, report).toBeGreaterThanOrEqual(INCIDENTS);
  expect(unheard, report).toBe(LOST * rounds);
  expect(acknowledged.size, report).toBeGreaterThan(INCIDENTS / 2);
  expect(ledger.openAfterEnd, report).toEqual([]);
  expect(ledger.acknowledgementsLost, report).toEqual([]);
  expect(ledger.recoveriesBeforePage, report).toEqual([]);
  expect(ledger.pagesWithoutIncident, report).toEqual([]);
  expect(pagesLost, report).toEqual([]);
  expect(hookKinds.filter((k) => k === "task.failed").length, report).toBeGreaterThan(0);
  expect(hook.recoveriesWithoutPage, report).toEqual([]);
  expect(hook.pagesNotFollowed, report).toEqual([]);
});
