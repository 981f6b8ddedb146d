// Qlik Cloud items grouped by the rules on-premise tasks follow. A Cloud event is about an item of a tenant: a reload's
// "task" is its app, a Scheduling Task's alert names the task and the app it reloads (an automation's alert would name
// the automation). One cause per item and reason: a task turned off (or missing its start, or its app going stale)
// opens the item's cause and is its one page; the same item's further alerts (its app stale while the task is off, the
// next due times it misses, Qlik disabling it after failures) are symptoms, listed and not sent, and the item running
// again ends the cause with one recovered page. A failing reload opens the item's failure cause: its repeats are the
// incident's (renotify and pageAfter decide, as for an on-premise task), its stale app and the disabling that follow
// are symptoms, and the Cloud tasks chained after it are listed as waiting.
// Failures sharing a source are the same-source rule's, which runs first; their apps' alerts join that cause here.
import type { DomainEvent, TaskEvent, WatchdogEvent } from "../../platform/events/types";
import { isTaskEvent, isWatchdogEvent } from "../../platform/events/types";
import { disabledCodeWords } from "../../hear/cloud/disabled-code";
import type { CauseStore, ParentRow, SymptomInput } from "./cause-store";
import type { CloudChains } from "./cloud-chains";
import { createCloudTenantRule } from "./cloud-tenant";
import type { SilentNodes } from "./silent-node";
import { afterRecovery, type CauseDecision, symptomReason, taskAndApp } from "./decision";

/** A reload event's id is `cloud:<tenant>:<reload id>:<outcome>` (src/hear/cloud/reload-event.ts): the tenant's name. */
const RELOAD_ID = /^cloud:([^:]{1,200}):/;

/** The tenant as people know it (its name in the config), else its host. */
function tenantOf(e: DomainEvent): string {
  if (isWatchdogEvent(e) && typeof e.data.tenant === "string") return e.data.tenant;
  return RELOAD_ID.exec(e.id)?.[1] ?? e.host;
}

/** The item an alert is about, per tenant (its host: the tenant's URL, as every Cloud event carries it). */
function itemKey(e: DomainEvent, id: string): string {
  return `${e.host.toLowerCase()}|${id.toLowerCase()}`;
}

const TURNED_OFF: Record<string, string> = {
  "task-disabled": "paused",
  "disabled-by-qlik": "disabled by Qlik after repeated failures",
  "task-deleted": "deleted",
  "trigger-expired": "its schedule ended",
  "upstream-deleted": "the task it runs after was deleted",
};

/** How it was turned off; Qlik's metadata.disabledCode says who when the tenant gives it. */
function turnedOffWords(e: WatchdogEvent): string | undefined {
  const code = typeof e.data.disabledCode === "string" ? e.data.disabledCode : undefined;
  // A person's disabling (MANUALLY) reads as before: paused.
  return code && code !== "MANUALLY" ? disabledCodeWords(code) : TURNED_OFF[String(e.data.turnedOff)];
}

function titleOf(e: WatchdogEvent, tenant: string): string {
  const task = e.task ? `task "${e.task.name}"` : `app "${e.app?.name ?? "?"}"`;
  const where = `on tenant ${tenant}`;
  switch (e.kind) {
    case "task.disabled":
      return `Qlik Cloud ${task} ${where} turned off${turnedOffWords(e) ? ` (${turnedOffWords(e)})` : ""}`;
    case "task.missed":
      return `Qlik Cloud ${task} ${where} did not start`;
    case "task.chain_broken":
      return `Qlik Cloud ${task} ${where} did not start after "${String(e.data.upstreamTask ?? "its upstream")}"`;
    case "task.running_long":
      return `Qlik Cloud ${task} ${where} running long`;
    default:
      return `Qlik Cloud app "${e.app?.name ?? "?"}" ${where} not reloaded on time`;
  }
}

/** What goes wrong with a Scheduling Task or its app: each opens the item's cause or joins the one holding it. */
const TROUBLE = new Set(["task.disabled", "task.missed", "task.chain_broken", "task.running_long", "app.stale"]);

/** Whether the parent is still about something (not only lingering on a stale app whose reason is over). */
const explains = (symptoms: ReadonlyArray<{ state: string; kind: string }>) => symptoms.some((s) => s.state === "open" && s.kind !== "app.stale");

export function createCloudItemRule(store: CauseStore, chains: Pick<CloudChains, "waiting">, silent: SilentNodes) {
  const tenantRule = createCloudTenantRule(store, silent);
  /** The Cloud tasks that will not run after this failed reload (chained on a task of its app succeeding). */
  async function listWaiting(e: TaskEvent, parentId: number, now: number): Promise<void> {
    if (e.source !== "cloud") return;
    await store.addWaiting(parentId, await chains.waiting(e.host, e.app?.id ?? e.task.id, e.id), now);
  }

  /** The open cause that holds this item (its app, its task), if one still explains it. */
  async function holderOf(taskIds: string[], appIds: string[]): Promise<{ parent: ParentRow; namesApp: (appId: string) => boolean } | undefined> {
    const parent = await store.openHolder({ taskIds, appIds, appNames: [] });
    if (!parent) return undefined;
    const symptoms = await store.symptoms(parent.id);
    if (!explains(symptoms)) return undefined;
    return { parent, namesApp: (appId) => symptoms.some((s) => s.appId === appId.toLowerCase()) };
  }

  /** A Scheduling Task's alert (turned off, a start missed, a chain stopped, a long run) or its app's (stale). */
  async function onWatch(e: WatchdogEvent, now: number, pageTo: string | undefined): Promise<CauseDecision | undefined> {
    const subject = `watch:${e.condition.key}`;
    if (e.kind === "task.on_track") return afterRecovery(await store.recover(subject, now));
    if (!TROUBLE.has(e.kind)) return undefined;
    const appId = e.app?.id;
    const held = await holderOf([...(e.task ? [e.task.id] : []), ...(appId ? [appId] : [])], appId ? [appId] : []);
    // A Cloud reload names its app as its task: a Scheduling Task's own name beside it would read as one more task
    // affected (and page an update), so a cause that already names the app lists the alert under the app alone.
    const named = held && appId ? held.namesApp(appId) : false;
    const symptom: SymptomInput = {
      subject,
      kind: e.kind,
      eventId: e.id,
      ...(e.task && !named ? { taskName: e.task.name, taskId: e.task.id } : {}),
      ...(e.app ? { appName: e.app.name, appId: e.app.id } : {}),
      ...(e.app?.stream ? { stream: e.app.stream } : {}),
    };
    if (!held) {
      const silentTenant = await tenantRule.missed(e, symptom, tenantOf(e), now, pageTo);
      if (silentTenant) return silentTenant;
    }
    const cause = held
      ? { key: held.parent.causeKey, title: held.parent.title }
      : { key: `cloud:${itemKey(e, appId ?? e.task?.id ?? e.condition.key)}`, title: titleOf(e, tenantOf(e)) };
    const { parentId, opened } = await store.attach(cause, symptom, now, pageTo);
    return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, cause.title) };
  }

  return {
    listWaiting,
    /** A Cloud event other than a reload's outcome (a reload's is noted as the tenant heard); undefined for anything else. */
    async review(e: DomainEvent, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      if (isTaskEvent(e)) await tenantRule.heard(e, now);
      if (!isWatchdogEvent(e) || e.data.source !== "cloud") return undefined;
      return onWatch(e, now, pageTo);
    },
    /**
     * A Cloud reload that failed or was cancelled and no other rule grouped: its app's failure cause, listing the Cloud
     * tasks chained after it as waiting. The first opens it and is its page; a repeat is recorded with it and left to
     * the incident (a route's renotify decides, as for an on-premise task). A failure is never another cause's
     * symptom here: like an on-premise task failing for a reason of its own, it is news.
     */
    async onFailure(e: TaskEvent, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      if (e.source !== "cloud") return undefined;
      const appId = e.app?.id ?? e.task.id;
      const waiting = await chains.waiting(e.host, appId, e.id);
      // A reload names its app; another Cloud item (an automation's run) names itself.
      const what = e.app ? `Reloads of ${e.app.name}` : e.task.name;
      const title = `${what} failing on Qlik Cloud tenant ${tenantOf(e)}${waiting.length > 0 ? ": the tasks after them do not run" : ""}`;
      const { parentId, opened } = await store.attach(
        { key: `cloud-failing:${itemKey(e, appId)}`, title },
        { subject: `task:${e.task.id.toLowerCase()}`, kind: e.kind, eventId: e.id, runId: e.executionId, ...taskAndApp(e.task, e.app) },
        now,
        pageTo,
      );
      await store.addWaiting(parentId, waiting, now);
      if (opened) return { action: "pass", parentId };
      // A repeat of what its page said: renotify decides, as for a task's own incident. One that goes out where no page
      // of the cause went (a route whose pageAfter held the first failures) is that route's page: its recovery goes there.
      return { action: "pass", parentId, repeat: true };
    },
  };
}
