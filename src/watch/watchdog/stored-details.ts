// The details an opening watchdog event was built from, read back from the stored event's data: the store keeps
// the event, and a later look (or an acknowledgement) closes the condition with the same details.
import type { WatchdogEvent } from "../../platform/events/types";
import { queueDetailsOf } from "./queue-event";
import type { WatchDetails } from "./watchdog-event";

/** The details an opening event was built from, read back from its data (the event is what is stored). */
export function detailsOf(e: WatchdogEvent): WatchDetails {
  const n = (k: string) => (typeof e.data[k] === "number" ? (e.data[k] as number) : undefined);
  const t = (k: string) => (typeof e.data[k] === "string" ? Date.parse(e.data[k] as string) : undefined);
  const s = (k: string) => (typeof e.data[k] === "string" ? (e.data[k] as string) : undefined);
  const out: WatchDetails = e.condition.type === "queue_backlog" ? queueDetailsOf(e.data) : {};
  const set = <K extends keyof WatchDetails>(k: K, v: WatchDetails[K] | undefined) => {
    if (v !== undefined && !(typeof v === "number" && Number.isNaN(v))) out[k] = v;
  };
  set("expectedAtMs", t("expectedAt"));
  set("trigger", s("trigger"));
  set("graceMs", n("graceMs"));
  set("startedAtMs", t("startedAt"));
  set("executionId", s("executionId"));
  set("usualMs", n("usualMs"));
  set("limitMs", n("limitMs"));
  set("noticeMs", n("noticeMs"));
  set("runsSeen", n("runsSeen"));
  set("upstreamTask", s("upstreamTask"));
  set("upstreamOutcome", s("upstreamOutcome") as WatchDetails["upstreamOutcome"]);
  set("lastSuccessAtMs", t("lastSuccessAt"));
  set("expectWithinMs", n("expectWithinMs"));
  set("turnedOff", s("turnedOff") as WatchDetails["turnedOff"]);
  set("changedBy", s("changedBy"));
  set("changedAtMs", t("changedAt"));
  set("lastSeenAtMs", t("lastSeenAt"));
  set("failures", n("failures"));
  return out;
}
