// The assistant's open causes: every cause that holds an open incident, each with those incidents, the same groups as
// GET /v4/incidents/by-cause and the dashboard's Incidents page. An ended cause whose tasks still fail (a queue that
// emptied after Qlik cancelled their runs) is listed too, marked; a task failing for its own reason is a cause of one.
import type { ApiResult } from "../dashboard/api-reader";
import { apiAnswer, type StewardApi } from "./steward-api";
import type { ToolResult } from "./catalog";

interface Group {
  cause: { id: number; status: "open" | "closed"; closedAt: string | null } | null;
  incidents: unknown[];
}

/** The incidents' groups read at once: the dashboard's page reads as many, so both show the same members. */
const GROUPS_READ = 200;

export async function openCausesAnswer(api: StewardApi, causes: ApiResult<{ causes: Array<{ id: number }> }>, limit: number): Promise<ToolResult> {
  if (!causes.ok) return apiAnswer(causes);
  const byCause = await api.get<{ causes: Group[] }>(`/v4/incidents/by-cause?limit=${GROUPS_READ}`);
  if (!byCause.ok) return apiAnswer(byCause);
  const groups = byCause.data.causes;
  const members = new Map(groups.flatMap((g) => (g.cause ? [[g.cause.id, g.incidents] as const] : [])));
  const open = causes.data.causes.map((c) => ({ ...c, incidents: members.get(c.id) ?? [] }));
  const endedGroups = groups.filter((g) => g.cause?.status === "closed").slice(0, limit);
  const ended = await Promise.all(
    endedGroups.map(async (g) => {
      const one = await api.get<Record<string, unknown>>(`/v4/causes/${g.cause!.id}`);
      // Its every symptom and run are for `causes` with its id; here what it is and the incidents still open.
      const { symptoms: _s, runs: _r, ...cause } = one.ok ? one.data : (g.cause as Record<string, unknown>);
      return { ...cause, ended: `ended ${g.cause!.closedAt}: these tasks still wait for a good run`, incidents: g.incidents };
    }),
  );
  const alone = groups.filter((g) => g.cause === null).flatMap((g) => g.incidents);
  return apiAnswer(causes, (d) => ({ ...d, causes: [...open, ...ended], alone }));
}
