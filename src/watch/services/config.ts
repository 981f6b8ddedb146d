// Config of service monitoring: Windows services on local or remote hosts (the Qlik Sense services by default)
// through sc.exe, and systemd units through systemctl. State changes become service.stopped/service.started.
// Built on first use (lazySection): a config that leaves the block out never builds its schema.
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";
import { DurationSchema } from "../../platform/core/duration";

export const QLIK_SENSE_SERVICES = [
  "QlikSenseRepositoryService",
  "QlikSenseEngineService",
  "QlikSenseProxyService",
  "QlikSenseSchedulerService",
  "QlikSenseServiceDispatcher",
  "QlikSensePrintingService",
  "QlikSenseRepositoryDatabase",
] as const;

const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$|^[0-9.]+$|^[0-9a-fA-F:]+$/;
// Service and unit names go to sc.exe/systemctl as one argument each; the pattern also keeps option-like or
// shell-special text out.
const NAME = /^[A-Za-z0-9_$][A-Za-z0-9_.$@ -]{0,255}$/;

const hostSchema = () => z.string().regex(HOST, "expected a host name or IP address").describe('Host to query; "localhost" is this machine.');

const ServiceRefSchema = z.lazy(() =>
  z.union([
    z.string().regex(NAME, "expected a service name (letters, digits, _ . $ @ - and spaces)"),
    z.strictObject({
      name: z
        .string()
        .regex(NAME, "expected a service name (letters, digits, _ . $ @ - and spaces)")
        .describe("Service or unit name (not the display name).")
        .meta({ examples: ["postgresql.service"] }),
      friendlyName: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe("Name shown in alerts instead of the service name.")
        .meta({ examples: ["Engine on sense2"] }),
    }),
  ]),
);

export const WindowsHostSchema = z.lazy(() =>
  z
    .strictObject({
      host: hostSchema().default("localhost"),
      services: z
        .array(ServiceRefSchema)
        .min(1)
        .default([...QLIK_SENSE_SERVICES])
        .describe("Service names (not display names). Default: the seven Qlik Sense services."),
    })
    .describe("A Windows host whose services are checked with sc.exe (remote hosts need the Service Control Manager reachable over RPC)."),
);

export const SystemdHostSchema = z.lazy(() =>
  z
    .strictObject({
      host: hostSchema().default("localhost").describe('"localhost", or a host reached by systemctl -H (SSH).'),
      units: z.array(ServiceRefSchema).min(1).describe("Unit names, e.g. postgresql.service."),
    })
    .describe("systemd units checked with systemctl show."),
);

export const serviceMonitorSchema = () =>
  lazySection(() =>
    z
      .strictObject({
        enabled: z.boolean().default(true).describe("Run the checks. Off: the section is kept but not used."),
        interval: DurationSchema.prefault("30s").describe("Time between checks of every service."),
        timeout: DurationSchema.prefault("20s").describe("Longest wait for one sc.exe/systemctl call (an unreachable host can take this long)."),
        concurrency: z.number().int().min(1).max(64).default(8).describe("Checks running at the same time."),
        windows: z.array(WindowsHostSchema).default([]).describe("Windows hosts; [{ host: localhost }] watches this server's Qlik Sense services."),
        systemd: z.array(SystemdHostSchema).default([]).describe("Linux hosts whose systemd units are checked with systemctl."),
      })
      .describe("Service monitoring (Butler's serviceMonitor). The first check is the baseline: no alerts for services already down at start."),
  );

/** For tests: built on first use and kept. Steward builds it per parse (serviceMonitorSchema()), so it is dropped after. */
export const ServiceMonitorSchema = serviceMonitorSchema();

export type ServiceMonitorConfig = z.infer<ReturnType<typeof serviceMonitorSchema>>;
