// GET /v4/doctor: the running Steward's own doctor, with its own clients (the QRS client and its certificates, the
// cluster's connection pool), so it answers what this process can reach, not what a shell on the server can.
import { z } from "zod";
import type { Router } from "../../platform/http/route";
import type { DoctorProbes } from "./from-config";
import { runDoctor } from "./run-doctor";

const DoctorLineSchema = z.object({
  check: z
    .string()
    .describe(
      "What was tried: qrs, engine, channel NAME (TYPE), newrelic metric api, newrelic event api, mqtt broker, postgresql, udp HOST:PORT, alert templates.",
    ),
  ok: z.boolean(),
  detail: z.string(),
  fix: z.string().optional().describe("What to do about a failure."),
});

/** `probes` may load what it needs on the first request (the composition root imports the probes then). */
export function registerDoctorRoute(router: Router, probes: () => DoctorProbes | Promise<DoctorProbes>): void {
  router.route(
    {
      method: "get",
      path: "/v4/doctor",
      summary: "Try every dependency now (QRS, Engine, channels, MQTT, PostgreSQL, UDP)",
      description:
        "Each dependency the config names, tried for real by this Steward: QRS and the Engine with its certificates, each alert channel (an SMTP login or a TCP/TLS connection; no message is sent), the MQTT broker, PostgreSQL and the cluster's members, its UDP listener, and the alerts it sent in the plain form in the last 24 hours because their template failed. Each line says pass or fail and what to do. Takes up to 10 seconds (a probe that does not answer by then fails). `steward doctor` prints the same on the command line.",
      tags: ["health"],
      scope: "admin",
      responses: { 200: { description: "One line per dependency", schema: () => z.object({ ok: z.boolean(), checks: z.array(DoctorLineSchema) }) } },
    },
    async (c) => {
      const { probes: list, close } = await probes();
      try {
        const checks = await runDoctor(list);
        return c.json({ ok: checks.every((l) => l.ok), checks });
      } finally {
        close();
      }
    },
  );
}
