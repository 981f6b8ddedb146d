// A Qlik Cloud task's event trigger, read from its event definitions (documented October 2026: on-task-event on
// `system-events.task` / `com.qlik.v1.task.run.finished`, correlated by the upstream task's `id` and its `status`
// succeeded / failed, none for any; on-dataset-updated on `dataset.updated`, correlated by `datasetId` or, in Qlik's
// Task example, by `appId`).
import { z } from "zod";

export type CloudEventTrigger =
  | { kind: "task"; upstreamId: string; on: "succeeded" | "failed" | "any" }
  /** Correlated by the dataset, or (Qlik's own example) by the app the dataset feeds. */
  | { kind: "dataset"; datasetId?: string; appId?: string };

const Correlation = z.lazy(() => z.looseObject({ contextAttributeName: z.string().max(100), contextAttributeValue: z.string().max(500).nullish() }));
const EventDef = z.lazy(() =>
  z.looseObject({
    source: z.string().max(200).nullish(),
    type: z.string().max(200).nullish(),
    correlation: z.array(Correlation).max(20).nullish(),
  }),
);
const Row = z.lazy(() => z.looseObject({ events: z.array(EventDef).max(20).nullish() }));

/** The trigger, undefined when the task has no event definition Steward knows (time-scheduled or manual only). */
export function readCloudEventTrigger(raw: unknown): CloudEventTrigger | undefined {
  const r = Row.safeParse(raw);
  if (!r.success) return undefined;
  for (const e of r.data.events ?? []) {
    const value = (name: string) => e.correlation?.find((c) => c.contextAttributeName.toLowerCase() === name.toLowerCase())?.contextAttributeValue ?? undefined;
    if (e.source === "system-events.task" || e.type === "com.qlik.v1.task.run.finished") {
      const id = value("id");
      const status = (value("status") ?? "any").toLowerCase();
      if (id && (status === "succeeded" || status === "failed" || status === "any")) return { kind: "task", upstreamId: id, on: status };
    }
    if (e.source === "dataset.updated") {
      const id = value("datasetId");
      const appId = value("appId");
      if (id || appId) return { kind: "dataset", ...(id ? { datasetId: id } : {}), ...(appId ? { appId: appId.toLowerCase() } : {}) };
    }
  }
  return undefined;
}
