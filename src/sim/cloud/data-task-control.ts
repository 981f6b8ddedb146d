// Control API of the simulated tenant's data integration: add a data project and a data task (with the datasets it
// writes), end a data task's run as completed, failed or stopped (a completed run updates its datasets, which starts
// their on-dataset-updated tasks), and refuse the Data Integration Projects API (403) as a key without the role would
// be refused (documented in src/sim/README.md).
import { z } from "zod";
import { json } from "../util/http";
import type { CloudTenant } from "./tenant";

const ProjectSchema = z.strictObject({ id: z.string().min(1).max(100).optional(), name: z.string().min(1).max(200) });
const TaskSchema = z.strictObject({
  id: z.string().min(1).max(100).optional(),
  name: z.string().min(1).max(200),
  type: z.enum(["LANDING", "STORAGE", "QVD_STORAGE", "TRANSFORM", "DATAMART", "REPLICATION"]).optional(),
  datasets: z
    .array(z.strictObject({ datasetId: z.string().min(1).max(100), name: z.string().min(1).max(200) }))
    .min(1)
    .max(50),
});
const RunSchema = z.strictObject({ outcome: z.enum(["completed", "failed", "stopped", "running"]), message: z.string().max(2_000).optional() });
const SettingsSchema = z.strictObject({ forbidden: z.boolean() });

type Add = (method: string, path: string, handler: (c: { body: unknown; params: Record<string, string | undefined> }) => Response) => void;
type Parse = <T>(schema: z.ZodType<T>, body: unknown) => T;

export function addDataTaskControlRoutes(add: Add, tenant: CloudTenant, parse: Parse, notFound: (message: string) => Error): void {
  const di = tenant.dataIntegration;
  add("GET", "/cloud/di-projects", () => json(200, { projects: di.projects, tasks: di.tasks }));
  add("POST", "/cloud/di-projects", (c) => json(201, di.addProject(parse(ProjectSchema, c.body))));
  add("POST", "/cloud/di-projects/:id/di-tasks", (c) => {
    const project = di.projects.find((p) => p.id === c.params.id);
    if (!project) throw notFound(`no data project ${c.params.id}`);
    return json(201, di.addTask({ ...parse(TaskSchema, c.body), projectId: project.id }));
  });
  add("POST", "/cloud/di-tasks/:id/run", (c) => {
    const b = parse(RunSchema, c.body);
    if (!di.tasks.some((t) => t.id === c.params.id)) throw notFound(`no data task ${c.params.id}`);
    return json(201, di.run(c.params.id!, b.outcome, b.message));
  });
  add("PATCH", "/cloud/di-settings", (c) => {
    di.forbidden = parse(SettingsSchema, c.body).forbidden;
    return json(200, { forbidden: di.forbidden });
  });
}
