// The doctor's look at a tenant's Qlik Talend Cloud data tasks, as the data-task watch reads them: the data projects
// (GET /api/v1/di-projects) and their data tasks. Not asked for, watched (with what it read), or why it cannot be.
import type { CloudClient } from "../../hear/cloud/cloud-client";
import type { QlikCloudTenantConfig } from "../../hear/cloud/config";
import { DataTaskListSchema, DiProjectListSchema, readAnswer } from "../../hear/cloud/data-task-read";
import { dataTaskProblem } from "../../hear/cloud/data-task-watch";

/** Projects whose task lists the doctor reads at most (the count is what it shows). */
const PROJECTS_READ = 20;

export async function dataTasksSource(
  client: CloudClient,
  tenant: QlikCloudTenantConfig,
): Promise<{ name: string; state: "watched" | "off" | "failed"; text: string }> {
  const name = "data tasks";
  if (!tenant.dataTasks?.enabled) return { name, state: "off", text: "not asked for (add `dataTasks: {}` to this tenant)" };
  try {
    const projects = readAnswer(DiProjectListSchema, await client.dataIntegration(""), "GET /api/v1/di-projects").projects ?? [];
    let tasks = 0;
    for (const p of projects.slice(0, PROJECTS_READ)) {
      const path = `/${encodeURIComponent(p.id)}/di-tasks`;
      tasks += (readAnswer(DataTaskListSchema, await client.dataIntegration(path), `GET /api/v1/di-projects${path}`).dataTasks ?? []).length;
    }
    const more = projects.length > PROJECTS_READ ? ` in the first ${PROJECTS_READ}` : "";
    return {
      name,
      state: "watched",
      text: `${projects.length} data project${projects.length === 1 ? "" : "s"}, ${tasks} data task${tasks === 1 ? "" : "s"}${more}`,
    };
  } catch (err) {
    return { name, state: "failed", text: dataTaskProblem(err) };
  }
}
