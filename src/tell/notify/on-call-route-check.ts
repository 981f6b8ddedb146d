// A route that pages PagerDuty or Opsgenie / Jira Service Management with a task's failure opens an alert there that
// only a routed recovery ends (task.recovered, or task.succeeded): without one, the alert stays open and keeps
// escalating in the product after the task runs again. `config check` (and `run`) refuse that set-up, naming the route.
import type { z } from "zod";

/** Channel types that keep an alert open until Steward sends its end. */
const ALERT_KEEPING = new Set(["pagerduty", "opsgenie"]);
const OPENING: readonly string[] = ["task.failed", "task.aborted"];
const ENDING: readonly string[] = ["task.recovered", "task.succeeded"];

/** What the check reads of the channels and routes (config.ts's types, which import this file). */
interface Parts {
  channels: Record<string, { type: string }>;
  routes: ReadonlyArray<{ name?: string | undefined; on: readonly string[]; to: readonly string[]; enabled?: boolean; escalate?: { to: string } | undefined }>;
}

export function checkOnCallRecoveries(config: Parts, ctx: z.RefinementCtx): void {
  // A route another route escalates to takes only the escalated pages: never a recovery (planner.ts).
  const targets = new Set(config.routes.flatMap((r) => (r.escalate ? [r.escalate.to] : [])));
  const live = config.routes
    .map((route, i) => ({ route, i, target: targets.has(route.name ?? `route-${i + 1}`) }))
    .filter(({ route }) => route.enabled !== false);
  for (const [name, channel] of Object.entries(config.channels)) {
    if (!ALERT_KEEPING.has(channel.type)) continue;
    const ended = live.some(({ route, target }) => !target && route.to.includes(name) && route.on.some((k) => ENDING.includes(k)));
    if (ended) continue;
    const paging = live.find(({ route }) => route.to.includes(name) && route.on.some((k) => OPENING.includes(k)));
    if (!paging) continue;
    const opens = paging.route.on.filter((k) => OPENING.includes(k)).join(" and ");
    const fix = paging.target
      ? `add a route { on: [task.recovered], to: [${name}] } (this route takes only escalated pages, so its own on: cannot carry the recovery)`
      : "add task.recovered to this route's on:";
    ctx.addIssue({
      code: "custom",
      path: ["routes", paging.i, "on"],
      message:
        `this route sends ${opens} to the ${channel.type} channel "${name}", but no route sends it task.recovered, so its alerts never resolve ` +
        `(they stay open and keep escalating after the task runs again): ${fix} (docs/channels.md)`,
    });
  }
}
