// The one case where a listed incident rightly reaches no on-call product (docs/channels.md, "Recoveries follow their
// page"): the Steward that recorded the failure died (or the store went away) before queueing its page, and the task's
// next success closed the incident before the run was handled again. Then the failure's page and the recovery are
// both recorded as not sent, each with its reason, and nobody is woken for something already over. This reads
// Steward's own record of an incident and says whether it is that case; anything else is a page lost.

interface IncidentRecord {
  status: string;
  lastEventId: string;
  closedAt: string | null;
  closedByEventId: string | null;
}

interface DeliveryRecord {
  channel: string;
  status: string;
  reason: string | null;
  createdAt: string;
}

const PAGE_AFTER_END = /before this page could be queued|before Steward heard of this failure|recovery was queued before this page/;
const RECOVERY_WITHOUT_PAGE = /follows up a page no channel received/;

/** Reads Steward's REST API: over HTTP (`(p) => fetch(base + p)`) or in process (a test app's request). */
export type ApiGet = (path: string) => Promise<Response>;

async function deliveriesOf(get: ApiGet, eventId: string, channel: string): Promise<DeliveryRecord[]> {
  const res = await get(`/v4/deliveries?eventId=${encodeURIComponent(eventId)}&channel=${encodeURIComponent(channel)}&limit=100`);
  if (!res.ok) throw new Error(`GET /v4/deliveries for ${eventId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { deliveries: DeliveryRecord[] }).deliveries;
}

/**
 * True when incident `id` ended before any page of it could be queued on `channel`: closed, its failure's deliveries
 * there all queued after it closed and suppressed for that reason, its recovery's suppressed for want of a page.
 */
export async function endedBeforePage(get: ApiGet, id: number, channel: string): Promise<boolean> {
  const res = await get(`/v4/incidents/${id}`);
  if (!res.ok) return false;
  const inc = (await res.json()) as IncidentRecord;
  if (inc.status !== "closed" || inc.closedAt === null || inc.closedByEventId === null) return false;
  const closedAt = Date.parse(inc.closedAt);
  const pages = await deliveriesOf(get, inc.lastEventId, channel);
  const recoveries = await deliveriesOf(get, inc.closedByEventId, channel);
  const pageHeldBack = (d: DeliveryRecord) => d.status === "suppressed" && PAGE_AFTER_END.test(d.reason ?? "") && Date.parse(d.createdAt) >= closedAt;
  const recoveryHeldBack = (d: DeliveryRecord) => d.status === "suppressed" && RECOVERY_WITHOUT_PAGE.test(d.reason ?? "");
  return pages.length > 0 && pages.every(pageHeldBack) && recoveries.every(recoveryHeldBack);
}
