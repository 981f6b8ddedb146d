// The running Steward's doctor (GET /v4/doctor, /ui/doctor): the probes of the config in force (a reload may have
// changed the channels), run with this process's own QRS client, cluster pool and UDP listener. The probes (and the
// PostgreSQL client they may open) are loaded by the first request, not at start.
import type { Config } from "./config";
import type { HttpApp } from "../platform/http/app";
import type { QrsClient } from "../platform/qlik";
import type { TaskIntake } from "../hear/intake";
import { registerDoctorRoute } from "../show/doctor/http-route";
import type { Wiring } from "./wiring";
import type { TemplateProbeDeps } from "../show/doctor/template-probe";
import type { EarsSources } from "../show/doctor/ears-probe";
import type { LinesCheck } from "../hear/engine";

export function wireDoctor(
  w: Wiring,
  http: HttpApp,
  parts: {
    qrs?: QrsClient;
    intake: TaskIntake;
    config: () => Config;
    templates?: TemplateProbeDeps;
    linesCheck?: LinesCheck;
    formatTime: (ms: number) => string;
  },
): void {
  const { linesCheck, intake } = parts;
  const ears: EarsSources = {
    formatTime: parts.formatTime,
    ...(linesCheck ? { engineLines: () => linesCheck.incomplete() } : {}),
    ...(intake.nodeSilence ? { silentNodes: () => intake.nodeSilence!.silent() } : {}),
  };
  const log = w.log.child({ module: "doctor" });
  registerDoctorRoute(http.router, async () =>
    (await import("../show/doctor/from-config")).doctorProbes(parts.config(), w.loaded.baseDir, log, {
      ...(parts.qrs ? { qrs: parts.qrs } : {}),
      ...(w.clusterStore ? { clusterDb: w.clusterStore.db } : {}),
      udpListening: parts.intake.udp?.address() !== undefined,
      ...(parts.templates ? { templates: parts.templates } : {}),
      udpSources: parts.intake.sources,
      ears,
    }),
  );
}
