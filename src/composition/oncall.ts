// The rota's own routes (issue 106): who is on duty now; the personal calendar feeds of people's shifts; and the
// overrides people make over REST. Feeds and overrides are in the shared store, so every Steward of a site serves,
// revokes and follows them alike; who is on duty is the config's rota with those overrides merged in (`rota`).
import { effectiveActionLinks } from "../tell/ack-links/notice";
import type { HttpApp } from "../platform/http/app";
import { registerOnCallFeedRoutes } from "../tell/oncall/feed-routes";
import { createOnCallFeedStore } from "../tell/oncall/feed-store";
import { registerOnCallDutyRoutes } from "../tell/oncall/http-route";
import { createOverrideStore } from "../tell/oncall/override-store";
import { registerOverrideRoutes } from "../tell/oncall/override-routes";
import type { RotaOverrides } from "../tell/oncall/stored-overrides";
import type { Config } from "./config-schema";
import type { Wiring } from "./wiring";

export function wireOnCall(w: Wiring, http: HttpApp, current: () => Config, rota: RotaOverrides): void {
  const configured = () => current().oncall;
  const oncall = () => rota.merged(configured());
  // Read before the first page: a Steward restarted during an override pages its person from its first alert.
  w.lifecycle.add({
    name: "oncall-overrides",
    start: () =>
      rota.refresh().catch((err: unknown) => w.log.warn({ err }, "the rota's overrides could not be read: the next look at who is on duty tries again")),
    stop() {},
  });
  registerOnCallDutyRoutes(http.router, { oncall, clock: w.clock });
  const baseUrl = effectiveActionLinks(w.config).publicBaseUrl?.replace(/\/$/, "");
  registerOnCallFeedRoutes(http.router, { oncall, feeds: createOnCallFeedStore(w.shared.sql), clock: w.clock, ...(baseUrl ? { baseUrl } : {}) });
  registerOverrideRoutes(http.router, { oncall: configured, overrides: createOverrideStore(w.shared.sql), rota, clock: w.clock });
}
