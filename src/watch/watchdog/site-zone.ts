// The judges write their sentences with ISO-8601 times (they know no zone: a judgement is the same anywhere); what
// people read is in the site's zone. Applied once, where an event is stored and sent (the announcer): each time the
// judges wrote (exactly the form Date.toISOString gives) in the title, the summary and the facts becomes
// "Tue, 24 Nov 2026 20:50:18 CET". The event's data and condition keep ISO-8601 for machines.
import type { WatchdogEvent } from "../../platform/events/types";

const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\b/g;

export function inSiteZone(e: WatchdogEvent, formatTime: (ms: number) => string): WatchdogEvent {
  const local = (text: string) => text.replace(ISO_TIME, (iso) => formatTime(Date.parse(iso)));
  return { ...e, title: local(e.title), summary: local(e.summary), facts: e.facts.map((f) => ({ ...f, value: local(f.value) })) };
}
