// The rota's own routes (issue 106): who is on duty now, from the config in force and the clock.
import type { HttpApp } from "../platform/http/app";
import { registerOnCallDutyRoutes } from "../tell/oncall/http-route";
import type { Config } from "./config-schema";
import type { Wiring } from "./wiring";

export function wireOnCall(w: Wiring, http: HttpApp, current: () => Config): void {
  registerOnCallDutyRoutes(http.router, { oncall: () => current().oncall, clock: w.clock });
}
