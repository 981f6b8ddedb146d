// The chaos suite's grouping account (issue 58): with grouping on, a failed run is either sent on its own (a delivery
// whose body is that run's alert) or named by a page of the cause that folded it (`cause.runs` on the opened and the
// recovered page, `cause.update.runs` on an update). The load includes tasks that all fail reading one refusing source
// (DWH), so the same-source rule folds their repeats; at the end they succeed once each, so the cause's recovered
// page names every run it folded. A run neither sent nor named is a hole the report counts (it must be 0).

/** Reload tasks that fail with the same connection error from one source: the same-source rule folds them. */
export const DWH_TASKS = Array.from({ length: 4 }, (_, i) => ({ id: `00000000-0000-4000-8300-00000000000${i}`, name: `Load DWH ${i}`, app: `DWH app ${i}` }));
const DWH_ERROR = "Connection refused: the DWH server did not accept the connection";

/** The chaos site with the DWH tasks (and an app each) added. */
export function withDwhTasks(site: string): string {
  const apps = DWH_TASKS.map((t) => `  - { id: ${t.id.replace("-8300-", "-8310-")}, name: ${t.app}, owner: CORP\\anna, stream: Sales }`).join("\n");
  const tasks = DWH_TASKS.map((t) => `  - { id: ${t.id}, name: ${t.name}, type: reload, app: ${t.app}, scriptError: "${DWH_ERROR}" }`).join("\n");
  if (!site.includes("\ntasks:\n")) throw new Error("chaos site: no tasks: section to add the DWH tasks to");
  return `${site.replace("\ntasks:\n", `\n${apps}\ntasks:\n`).trimEnd()}\n${tasks}\n`;
}

interface PageBody {
  kind?: string;
  executionId?: string;
  cause?: { id?: number; status?: string; runs?: string[]; update?: { runs?: string[] } };
}

export interface CauseAccount {
  /** The channel the account is for (the chaos config has one webhook channel). */
  channel: string;
  /** Runs some cause page named. */
  listed: Set<string>;
  pages: { opened: number; updates: number; recovered: number };
}

export function createCauseAccount(channel: string): CauseAccount & { note(body: PageBody): void } {
  const listed = new Set<string>();
  const pages = { opened: 0, updates: 0, recovered: 0 };
  return {
    channel,
    listed,
    pages,
    /** An accepted delivery: the runs its cause names count as listed. */
    note(body) {
      const c = body.cause;
      if (!c) return;
      for (const id of [...(c.runs ?? []), ...(c.update?.runs ?? [])]) listed.add(id.toLowerCase());
      if (c.update) pages.updates++;
      else if (c.status === "closed") pages.recovered++;
      else if (c.runs?.includes(String(body.executionId).toLowerCase())) pages.opened++;
    },
  };
}

export interface CauseJudgement {
  channel: string;
  /** Runs named by a cause page and never sent on their own: what grouping folded (must be > 0, or nothing was tested). */
  folded: number;
  /** Runs neither sent on their own nor named by a cause page: each one a hole (must be 0). */
  neither: string[];
  pages: CauseAccount["pages"];
}

export function judgeCauses(runs: readonly string[], sent: ReadonlyMap<string, number>, account: CauseAccount): CauseJudgement {
  const isSent = (id: string) => sent.has(id) || sent.has(id.toLowerCase());
  const listed = (id: string) => account.listed.has(id.toLowerCase());
  return {
    channel: account.channel,
    folded: runs.filter((id) => listed(id) && !isSent(id)).length,
    neither: runs.filter((id) => !listed(id) && !isSent(id)),
    pages: { ...account.pages },
  };
}

/** Every run some cause holds, as the Steward at `base` lists them (GET /v4/causes/{id} runs): used only to know when to end the load's causes. */
export async function runsInCauses(base: string): Promise<Set<string>> {
  const out = new Set<string>();
  const get = async <T>(path: string) => (await (await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) })).json()) as T;
  const { causes } = await get<{ causes: Array<{ id: number }> }>("/v4/causes?status=open&limit=500");
  for (const c of causes) for (const id of (await get<{ runs?: string[] }>(`/v4/causes/${c.id}`)).runs ?? []) out.add(id.toLowerCase());
  return out;
}

export function describeCauses(j: CauseJudgement | undefined): string[] {
  if (!j) return ["grouping: — (no groupable load)"];
  return [
    `grouping on, channel ${j.channel}: runs folded into a cause: ${j.folded}; cause pages: ${j.pages.opened} opened, ${j.pages.updates} updates, ${j.pages.recovered} recovered`,
    `runs neither sent nor listed in a cause: ${j.neither.length}`,
    ...j.neither.slice(0, 10).map((id) => `  neither sent nor listed: ${id}`),
  ];
}
