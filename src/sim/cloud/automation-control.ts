// Control API of the simulated tenant's automations: add one (scheduled or run by hand), run it now, set the outcome
// of its next runs (finish, finish with warnings, fail, stop, exceed the limit), and disable or enable it as an admin
// would, recording who; and list them with their runs (documented in src/sim/README.md).
import { z } from "zod";
import { json } from "../util/http";
import type { SimAutomation } from "./automations";
import type { CloudTenant } from "./tenant";

const OutcomeSchema = z.enum(["finish", "warn", "fail", "stop", "limit", "notStarted", "failUnstarted"]);
const AddSchema = z.strictObject({
  name: z.string().min(1).max(200),
  everyMs: z
    .int()
    .min(1_000)
    .max(7 * 86_400_000)
    .optional(),
  runMode: z.enum(["manual", "scheduled", "triggered", "webhook"]).optional(),
  outcome: OutcomeSchema.optional(),
  failingBlock: z.string().min(1).max(200).optional(),
  /** App ids whose reloads a finished run starts. */
  reloads: z.array(z.string().min(1)).max(50).optional(),
});
const PatchSchema = z.strictObject({
  state: z.enum(["available", "disabled"]).optional(),
  outcome: OutcomeSchema.optional(),
  name: z.string().min(1).max(200).optional(),
  /** Who made the change (a user id), as the tenant's audit log records it. */
  updatedBy: z.string().min(1).max(200).optional(),
});
const RunSchema = z.strictObject({ context: z.enum(["editor", "api_sync", "webhook", "detail", "test_run"]).optional() });

type Add = (method: string, path: string, handler: (c: { body: unknown; params: Record<string, string | undefined> }) => Response) => void;
type Parse = <T>(schema: z.ZodType<T>, body: unknown) => T;

export function addAutomationControlRoutes(add: Add, tenant: CloudTenant, parse: Parse, notFound: (message: string) => Error): void {
  const autos = tenant.automations;
  const find = (id: string): SimAutomation => {
    const a = autos.list.find((x) => x.id === id);
    if (!a) throw notFound(`no automation ${id}`);
    return a;
  };
  const view = (a: SimAutomation) => ({
    ...a,
    createdAt: new Date(a.createdAt).toISOString(),
    updatedAt: new Date(a.updatedAt).toISOString(),
    runs: autos.runs.filter((r) => r.automationId === a.id).length,
  });
  add("GET", "/cloud/automations", () => json(200, autos.list.map(view)));
  add("POST", "/cloud/automations", (c) => {
    const b = parse(AddSchema, c.body);
    for (const appId of b.reloads ?? []) if (!tenant.apps.has(appId.toLowerCase())) throw notFound(`no app ${appId} in the site file`);
    return json(201, view(autos.add({ ...b, ...(b.reloads ? { reloads: b.reloads.map((x) => x.toLowerCase()) } : {}) })));
  });
  add("PATCH", "/cloud/automations/:id", (c) => json(200, view(autos.update(find(c.params.id!).id, parse(PatchSchema, c.body)))));
  add("POST", "/cloud/automations/:id/run", (c) => {
    const a = find(c.params.id!);
    const r = autos.runNow(a.id, parse(RunSchema, c.body ?? {}).context);
    if (!r) return json(409, { error: `automation ${a.name} is disabled`, code: "DISABLED" });
    return json(201, r);
  });
  add("GET", "/cloud/automation-runs", () => json(200, autos.runs));
}
