// YAML block of an `alertmanager` channel: the Alertmanager(s) an open incident is posted to as an alert, how
// Steward signs in, the labels it adds, and how often a still-open alert is posted again.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { DurationSchema } from "../../../../platform/core/duration";
import { channelCommonShape } from "../common-schema";
import { alertmanagerUrlProblem } from "../api-url-checks";

/** The labels Steward sets itself; a static label of the same name would change an alert's identity under it. */
export const STEWARD_LABELS = ["alertname", "kind", "task", "app", "node", "service", "cause", "steward_incident", "severity"] as const;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const SeveritySchema = z.string().min(1);

export const AlertmanagerChannelSchema = z.lazy(() =>
  z
    .strictObject({
      type: z.literal("alertmanager"),
      ...channelCommonShape,
      urls: z
        .array(z.string().url())
        .min(1)
        .describe(
          "Base URL of each Alertmanager (Steward posts to <url>/api/v2/alerts). List every member of an HA cluster: each alert goes to all of them, as Prometheus does.",
        )
        .meta({ examples: [["http://alertmanager1.corp.example:9093", "http://alertmanager2.corp.example:9093"]] }),
      basicAuth: z
        .strictObject({
          username: z
            .string()
            .min(1)
            .describe("User name of Alertmanager's basic_auth_users (web.config.file).")
            .meta({ examples: ["steward"] }),
          password: z
            .string()
            .min(1)
            .describe("Its password; a credential, use ${env:…} or ${file:…}.")
            .meta({ examples: ["${env:ALERTMANAGER_PASSWORD}"] }),
        })
        .optional()
        .describe("Basic authentication, for an Alertmanager started with a web config file (or behind a proxy that asks for it)."),
      headers: z
        .record(z.string().min(1), z.string())
        .default({})
        .describe(
          "Extra request headers: X-Scope-OrgID for a multi-tenant Alertmanager (Grafana Mimir, Cortex), or Authorization: Bearer ${env:…} for a proxy in front of it.",
        )
        .meta({ examples: [{ "X-Scope-OrgID": "qlik" }] }),
      labels: z
        .record(z.string().regex(LABEL_NAME, "label names use letters, digits and '_' and do not start with a digit"), z.string())
        .default({})
        .describe("Static labels added to every alert (e.g. env: prod, team: qlik), for Alertmanager's routes and inhibit rules.")
        .meta({ examples: [{ env: "prod", team: "qlik" }] }),
      resendEvery: DurationSchema.prefault("1m").describe(
        "How often an alert whose incident is still open is posted again. Alertmanager resolves an alert it has not heard of for resolve_timeout (default 5m): keep this well below it.",
      ),
      severity: z
        .strictObject({
          failed: SeveritySchema.default("critical").describe("Failed tasks and reloads."),
          aborted: SeveritySchema.default("warning").describe("Aborted tasks."),
          warning: SeveritySchema.default("warning").describe("task.warning: a successful run that looks wrong."),
          serviceStopped: SeveritySchema.default("critical").describe("Stopped services."),
          site: SeveritySchema.default("warning").describe("Everything else: site events, data checks, the watchdog, check-ins, freshness."),
        })
        .prefault({})
        .describe("The `severity` label per kind of incident."),
      ca: z
        .string()
        .min(1)
        .optional()
        .describe("PEM file (relative to the config file) of a private CA for an https URL.")
        .meta({ examples: ["./certs/corp-root-ca.pem"] }),
      rejectUnauthorized: z.boolean().default(true).describe("Verify the server certificate. Turn off only knowingly."),
      testTarget: z
        .string()
        .url()
        .optional()
        .describe("Alertmanager base URL used instead of urls while notify.testMode is on.")
        .meta({ examples: ["http://127.0.0.1:9093"] }),
    })
    .superRefine((c, ctx) => {
      for (const name of Object.keys(c.labels)) {
        if ((STEWARD_LABELS as readonly string[]).includes(name))
          ctx.addIssue({ code: "custom", path: ["labels", name], message: `Steward sets the label ${name} itself; choose another name` });
      }
      c.urls.forEach((url, i) => {
        const problem = alertmanagerUrlProblem(url);
        if (problem) ctx.addIssue({ code: "custom", path: ["urls", i], message: problem });
      });
      const testProblem = c.testTarget === undefined ? undefined : alertmanagerUrlProblem(c.testTarget);
      if (testProblem) ctx.addIssue({ code: "custom", path: ["testTarget"], message: testProblem });
      const auth = Object.keys(c.headers).find((h) => h.toLowerCase() === "authorization");
      if (c.basicAuth && auth) ctx.addIssue({ code: "custom", path: ["headers", auth], message: "basicAuth sets the Authorization header; set one of them" });
    })
    .describe("Alerts in Prometheus Alertmanager: each open incident one alert, posted again while it is open and ended when it closes."),
);

export type AlertmanagerChannelConfig = z.infer<typeof AlertmanagerChannelSchema>;
