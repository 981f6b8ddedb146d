// The rota's own routes (issue 106): who is on duty now, from the config in force and the clock; and the personal
// calendar feeds of people's shifts, kept in the shared store so every Steward of a site serves and revokes them alike.
import { effectiveActionLinks } from "../tell/ack-links/notice";
import type { HttpApp } from "../platform/http/app";
import { registerOnCallFeedRoutes } from "../tell/oncall/feed-routes";
import { createOnCallFeedStore } from "../tell/oncall/feed-store";
import { registerOnCallDutyRoutes } from "../tell/oncall/http-route";
import type { Config } from "./config-schema";
import type { Wiring } from "./wiring";

export function wireOnCall(w: Wiring, http: HttpApp, current: () => Config): void {
  const oncall = () => current().oncall;
  registerOnCallDutyRoutes(http.router, { oncall, clock: w.clock });
  const baseUrl = effectiveActionLinks(w.config).publicBaseUrl?.replace(/\/$/, "");
  registerOnCallFeedRoutes(http.router, { oncall, feeds: createOnCallFeedStore(w.shared.sql), clock: w.clock, ...(baseUrl ? { baseUrl } : {}) });
}
