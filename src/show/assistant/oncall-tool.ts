// The assistant's "who is on duty?" (issue 106): GET /v4/oncall as it answers, so a read key's answer is the API's.
import type { Catalog } from "./catalog";
import { apiAnswer, type StewardApi } from "./steward-api";

export function registerOnCallTool(server: Catalog, api: StewardApi): void {
  server.registerTool(
    "on_call",
    {
      title: "Who is on duty",
      description:
        "For each `oncall:` schedule: the person on duty now (null: nobody, outside its hours), why (the rotation's week, an override, outside hours), since when and until when (ISO instants) and who is next. Use it to say whom to call or who holds the pager.",
      inputSchema: {},
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => apiAnswer(await api.get("/v4/oncall")),
  );
}
