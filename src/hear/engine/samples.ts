// The sample reloads outside the Scheduler that templates are checked against and `steward alert test` sends.
import { randomUUID } from "node:crypto";
import type { EngineReloadEventKind, TaskEvent } from "../../platform/events/types";
import { scriptLogExcerpt } from "../events/enrich-mappers";
import { engineReloadEvent } from "./reload-event";

/** A reload outside the Scheduler (app.reload_failed / app.reload_succeeded), as src/hear/engine builds it. */
export function syntheticEngineReloadEvent(
  kind: EngineReloadEventKind,
  o: { host?: string; appId?: string; appName?: string; nowMs?: number; full?: boolean } = {},
): TaskEvent {
  const now = o.nowMs ?? Date.now();
  const failed = kind === "app.reload_failed";
  const full = o.full ?? true;
  const host = o.host ?? "sense2.corp.example";
  const appId = o.appId ?? randomUUID();
  const lines = failed ? ["Error: Cannot open file: 'lib://Data/orders.qvd'"] : [];
  const log = [
    "20260301T140001.000+0100 Execution started.",
    "20260301T140002.110+0100 LIB CONNECT TO 'Sales DW'",
    failed ? "20260301T140004.900+0100 Error: Cannot open file: 'lib://Data/orders.qvd'" : "20260301T140122.900+0100 Execution finished.",
  ];
  const e = engineReloadEvent({
    run: {
      key: `${host.split(".")[0]}|${appId}|${randomUUID()}|${new Date(now).toISOString()}`,
      node: host,
      appId,
      sessionId: randomUUID(),
      user: "CORP\\svc_integration",
      proxySessionId: "0",
      startMs: now - 45_000,
      endMs: now - 1_000,
      outcome: failed ? "failed" : "succeeded",
      lines,
      loggers: ["AuditActivity.Engine"],
    },
    app: {
      id: appId,
      name: o.appName ?? "Sales dashboard",
      ...(full ? { stream: "Finance", owner: { userDirectory: "CORP", userId: "anna", name: "Anna Andersson", emails: ["anna@corp.example"] } } : {}),
      published: full,
      tags: [],
      customProperties: [],
    },
    ...(full ? { scriptLog: scriptLogExcerpt(log.join("\r\n"), 20, 40, 1024 * 1024) } : {}),
    missing: full ? [] : [{ item: "scriptLog", reason: "no folder in engineReloads.scriptLogDirs for this node" }],
    reason: "a published app (engineReloads.alertFor.publishedApps)",
    nowMs: now,
  });
  return { ...e, source: "test" };
}
