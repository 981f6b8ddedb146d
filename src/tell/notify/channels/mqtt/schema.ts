// YAML block of an `mqtt` channel: broker connection (its own client, kept open), QoS/retain, Butler's topic
// names and Steward's structured topics.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { channelCommonShape } from "../common-schema";

/** TLS towards a broker: also Steward's own MQTT connection (start/mqtt) uses it. */
export const MqttTlsSchema = z.lazy(() =>
  z
    .strictObject({
      ca: z
        .string()
        .min(1)
        .optional()
        .describe("PEM file of the CA that signed the broker's certificate (relative to the config file).")
        .meta({ examples: ["./certs/mqtt-ca.pem"] }),
      cert: z
        .string()
        .min(1)
        .optional()
        .describe("PEM client certificate, when the broker wants one.")
        .meta({ examples: ["./certs/mqtt-client.pem"] }),
      key: z
        .string()
        .min(1)
        .optional()
        .describe("PEM private key of the client certificate.")
        .meta({ examples: ["./certs/mqtt-client.key"] }),
      rejectUnauthorized: z.boolean().default(true).describe("Verify the broker's certificate. Turn off only knowingly."),
      servername: z
        .string()
        .min(1)
        .optional()
        .describe("TLS server name, when it differs from the URL's host.")
        .meta({ examples: ["broker.corp.example"] }),
    })
    .describe("TLS options; used with an mqtts:// or wss:// url."),
);

export const ButlerTopicsSchema = z.lazy(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Publish on Butler's topics so existing subscribers keep working."),
      taskFailure: z.string().min(1).default("qliksense/task_failure").describe("Failed tasks; payload = task name."),
      taskFailureFull: z.string().min(1).default("qliksense/task_failure_full").describe("Failed tasks; payload = JSON."),
      taskAborted: z.string().min(1).default("qliksense/task_aborted").describe("Aborted tasks; payload = task name."),
      taskAbortedFull: z.string().min(1).default("qliksense/task_aborted_full").describe("Aborted tasks; payload = JSON."),
      sendFull: z.boolean().default(true).describe("Also publish the JSON payload on the *_full topics."),
      serviceRunning: z.string().min(1).default("qliksense/service_running").describe("Service started; published on <topic>/<host>/<service>."),
      serviceStopped: z.string().min(1).default("qliksense/service_stopped").describe("Service stopped; published on <topic>/<host>/<service>."),
      serverLicense: z
        .string()
        .min(1)
        .default("qliksense/qliksense_server_license")
        .describe("license.expiring/expired; payload = JSON {licenseExpired, expiryDateStr, daysUntilExpiry}."),
      serverLicenseExpire: z.string().min(1).default("qliksense/qliksense_server_license_expire").describe("license.expiring/expired; payload = a text alert."),
    })
    .describe("Butler-compatible topics."),
);

export const MqttChannelSchema = z.lazy(() =>
  z
    .strictObject({
      type: z.literal("mqtt"),
      ...channelCommonShape,
      url: z
        .string()
        .regex(/^(mqtts?|wss?):\/\/[^\s/]+/, "expected mqtt://host:port, mqtts://host:port, ws://… or wss://…")
        .describe("Broker URL (mqtt://, mqtts://, ws:// or wss://); this channel's own connection, separate from the mqtt: section."),
      clientId: z.string().min(1).max(128).optional().describe("MQTT client id; a unique one is generated when absent."),
      username: z.string().min(1).optional().describe("User name for the broker, when it wants one."),
      password: z.string().optional().describe("Use ${env:…} or ${file:…}."),
      tls: MqttTlsSchema.optional(),
      qos: z
        .union([z.literal(0), z.literal(1), z.literal(2)])
        .default(1)
        .describe("QoS of published messages; with 1 or 2 a delivery counts once the broker acknowledged it."),
      retain: z.boolean().default(false).describe("Publish with the retain flag, so a new subscriber gets the last message of each topic."),
      butlerTopics: ButlerTopicsSchema.prefault({}),
      structured: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Publish the structured topics."),
          prefix: z
            .string()
            .min(1)
            .default("steward")
            .describe(
              "Topics: <prefix>/<host>/task/<outcome>/<taskType>, <prefix>/<host>/service/<state>/<service> and <prefix>/<host>/data/<failed|passed|error>/<appId>/<check>.",
            ),
        })
        .prefault({})
        .describe("One topic per event kind with the full event as JSON."),
      testTarget: z.string().min(1).optional().describe('Topic prefix put in front of every topic while notify.testMode is on, e.g. "test/".'),
    })
    .describe("Task and service events published to an MQTT broker."),
);

export type MqttChannelConfig = z.infer<typeof MqttChannelSchema>;
