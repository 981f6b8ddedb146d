// The watchdog's reading of a Qlik Cloud tenant's Scheduling Tasks for one look: the list, page by page (bounded,
// and stopped at a repeated next page), each task's own definition when the list leaves its trigger out (read once
// per change of its updatedAt), filtered to the apps and spaces the tenant's config names.
import type { CloudClient } from "../../hear/cloud/cloud-client";
import { type CloudPlanTask, readCloudTask } from "./cloud-plan";

export interface CloudWatchTenant {
  name: string;
  url: string;
  client: CloudClient;
  apps?: string[];
  spaces?: string[];
}

export interface CloudTaskList {
  tasks: CloudPlanTask[];
  /** False when not every page was read: a task missing from the list may still exist. */
  complete: boolean;
  /** What a person should know (a task that cannot be read, a list cut short). */
  problems: string[];
}

const MAX_PAGES = 20;
/** Tasks whose full definition or run history is read one by one per look at most (the rest at the next look). */
export const MAX_SINGLE_CALLS = 50;

export function createCloudTaskReader(): { read(t: CloudWatchTenant): Promise<CloudTaskList> } {
  const definitions = new Map<string, { updatedAt: string; raw: unknown }>();
  async function read(t: CloudWatchTenant): Promise<CloudTaskList> {
    const out: CloudPlanTask[] = [];
    const bad: string[] = [];
    /** Tasks read this look: a page given again (a next link that repeats) adds no second copy of its tasks. */
    const seen = new Set<string>();
    let url: string | undefined;
    let previous: string | undefined;
    let complete = false;
    let single = 0;
    const noSpace: string[] = [];
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await t.client.listTasks(url);
      for (const raw of page.tasks) {
        let r = readCloudTask(raw);
        if (r.ok && seen.has(r.task.id)) continue;
        // The list may carry no trigger: the task's own definition does, read once per change (updatedAt).
        if (r.ok && !r.hasDefinition) {
          const cached = definitions.get(`${t.name}:${r.task.id}`);
          let def = cached?.updatedAt === r.task.updatedAt ? cached.raw : undefined;
          if (def === undefined && single < MAX_SINGLE_CALLS) {
            single++;
            def = await t.client.getTask(r.task.id);
            definitions.set(`${t.name}:${r.task.id}`, { updatedAt: r.task.updatedAt, raw: def });
          }
          // The list's own fields (its last run) win over the definition's.
          if (def !== undefined) r = readCloudTask({ ...(def as object), ...(raw as object) });
        }
        if (!r.ok) {
          const problem = `Qlik Cloud tenant ${t.name}: ${r.error}; this task is not watched`;
          if (!bad.includes(problem)) bad.push(problem);
          continue;
        }
        seen.add(r.task.id);
        if (t.apps && !(r.task.appId && t.apps.some((a) => a.toLowerCase() === r.task.appId))) continue;
        if (t.spaces && !(r.task.spaceId && t.spaces.includes(r.task.spaceId))) {
          // A task with no space cannot be matched: said, not dropped in silence (Qlik puts it in metadata.spaceId).
          if (!r.task.spaceId && !noSpace.includes(r.task.name)) noSpace.push(r.task.name);
          continue;
        }
        out.push(r.task);
      }
      if (!page.next) {
        complete = true;
        break;
      }
      if (page.next === previous) {
        bad.push(`Qlik Cloud tenant ${t.name}: the task list gave the same next page twice; the tasks after it are not watched this look`);
        break;
      }
      previous = page.next;
      url = page.next;
    }
    if (!complete && !bad.some((b) => b.includes("same next page")))
      bad.push(`Qlik Cloud tenant ${t.name}: more than ${MAX_PAGES} pages of tasks; the tasks after them are not watched`);
    if (noSpace.length)
      bad.push(
        `Qlik Cloud tenant ${t.name}: ${noSpace.length} task(s) give no space (metadata.spaceId missing or empty, as in a personal space), so spaces: cannot match them and they are not watched: ${noSpace.slice(0, 5).join(", ")}${noSpace.length > 5 ? ", …" : ""} (list them under apps: instead)`,
      );
    return { tasks: out, complete, problems: bad };
  }

  return { read };
}
