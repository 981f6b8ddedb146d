// Wires the noise report: its service over the outbox and the incidents, its REST routes, and its section of the
// weekly report (on by default: it goes only where an administrator already sends the weekly report). The service
// (the measure, the proposals, the config edit) is imported with the first report asked for, not at start.
import { describeError } from "../../platform/core/errors";
import type { SiteEvent } from "../../platform/events/types";
import type { Router } from "../../platform/http/route";
import { registerNoiseRoutes } from "./http-route";
import type { NoiseService, NoiseServiceDeps } from "./service";

export interface Noise {
  service: NoiseService;
  /** The weekly report with the noise of its seven days added (unchanged when noise.weekly is off). */
  withNoise(e: SiteEvent): Promise<SiteEvent>;
}

/** The service made by its module when first called: every call is asynchronous already. */
function lazyNoiseService(deps: NoiseServiceDeps): NoiseService {
  let made: Promise<NoiseService> | undefined;
  const service = () => (made ??= import("./service").then((m) => m.createNoiseService(deps)));
  return {
    report: async (sinceDays, to) => (await service()).report(sinceDays, to),
    review: async (id, sinceDays) => (await service()).review(id, sinceDays),
    apply: async (id, actor, sinceDays, reviewed) => (await service()).apply(id, actor, sinceDays, reviewed),
  };
}

export function setupNoise(router: Router | undefined, deps: NoiseServiceDeps): Noise {
  const service = lazyNoiseService(deps);
  if (router) registerNoiseRoutes(router, service);
  return {
    service,
    async withNoise(e) {
      if (e.kind !== "report.weekly" || !deps.noise().weekly) return e;
      let report: Awaited<ReturnType<NoiseService["report"]>>;
      try {
        report = await service.report(7, Date.parse(e.receivedAt));
      } catch (err) {
        // The rest of the weekly report still goes: it says the noise could not be counted, and why.
        const why = describeError(err);
        return { ...e, sections: [...(e.sections ?? []), { title: "Noise", lines: [{ text: `Could not be counted: ${why}`, tone: "warn" }] }] };
      }
      const { noiseSections } = await import("./noise-text");
      return {
        ...e,
        sections: [...(e.sections ?? []), ...noiseSections(report)],
        data: { ...e.data, noisePages: report.pages, noisePagesPerWeek: report.budget.pagesPerWeek, noiseProposals: report.proposals.length },
      };
    },
  };
}
