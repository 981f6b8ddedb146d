// The judges write their sentences with ISO-8601 times (they know no zone: a judgement is the same anywhere); what
// people read is in the site's zone. Applied once, where an event is stored and sent (the announcer): each time the
// judges wrote (exactly the form Date.toISOString gives) in the title, the summary and the facts becomes
// "2026-11-24 20:50 CET" (the message format, src/platform/core/time-text.ts). The event's data and condition keep
// ISO-8601 for machines.
import type { WatchdogEvent } from "../../platform/events/types";
import { timesInText } from "../../platform/core/time-text";

export function inSiteZone(e: WatchdogEvent, formatTime: (ms: number) => string): WatchdogEvent {
  const local = (text: string) => timesInText(text, formatTime);
  return { ...e, title: local(e.title), summary: local(e.summary), facts: e.facts.map((f) => ({ ...f, value: local(f.value) })) };
}
