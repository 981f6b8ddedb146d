// The kinds of a reload that did not come from the Scheduler (the hub, the data load editor, the Engine API), heard from
// the Engine's log lines (src/hear/engine): `app.reload_failed` when its failure is alerted (engineReloads.alertFor),
// and `app.reload_succeeded` for every successful one (fresh data for the freshness promises). They have the task
// event's shape (types.ts), as Qlik Cloud's reloads: the app is the task, `source` is `engine`, `user` started it,
// `host` is the node.
export const ENGINE_RELOAD_EVENT_KINDS = ["app.reload_failed", "app.reload_succeeded"] as const;
export type EngineReloadEventKind = (typeof ENGINE_RELOAD_EVENT_KINDS)[number];

/** app.reload_failed and app.reload_succeeded: task events about a reload outside the Scheduler, not about a task run. */
export function isEngineReloadKind(kind: string): kind is EngineReloadEventKind {
  return kind === "app.reload_failed" || kind === "app.reload_succeeded";
}
