// How Steward reaches Qlik Sense: QRS (REST, 4242) and Engine (WebSocket, 4747) with the QMC-exported
// client certificate set.
// Built on first use (lazySection): a config that leaves the block out never builds its schema.
import { z } from "zod";
import { lazySection } from "../config/lazy-section";

export const QlikSchema = lazySection(() =>
  z
    .strictObject({
      host: z.string().min(1).describe("Host name of the Qlik Sense central node (as in its server certificate)."),
      qrsPort: z.number().int().min(1).max(65535).default(4242).describe("Port of the Qlik Repository Service (QRS) API."),
      enginePort: z.number().int().min(1).max(65535).default(4747).describe("Port of the Qlik Engine (app reloads and dumps)."),
      certDir: z.string().min(1).default("./certs").describe("Folder with the QMC export: root.pem, client.pem, client_key.pem."),
      clientCert: z
        .string()
        .optional()
        .describe("Overrides certDir/client.pem.")
        .meta({ examples: ["D:\\QlikCerts\\client.pem"] }),
      clientKey: z
        .string()
        .optional()
        .describe("Overrides certDir/client_key.pem.")
        .meta({ examples: ["D:\\QlikCerts\\client_key.pem"] }),
      rootCa: z
        .string()
        .optional()
        .describe("Overrides certDir/root.pem.")
        .meta({ examples: ["D:\\QlikCerts\\root.pem"] }),
      clientKeyPassphrase: z
        .string()
        .optional()
        .describe("Passphrase of client_key.pem, only for a certificate export made with a password (an export without one is simpler).")
        .meta({ examples: ["${env:QLIK_KEY_PASSPHRASE}"] }),
      rejectUnauthorized: z.boolean().default(true).describe("Verify the Qlik server certificate against root.pem. Turn off only knowingly."),
      userDirectory: z.string().min(1).default("INTERNAL").describe("X-Qlik-User directory Steward acts as."),
      userId: z.string().min(1).default("sa_repository").describe("X-Qlik-User id Steward acts as."),
      timeoutMs: z.number().int().min(100).max(300_000).default(30_000).describe("Per-request timeout for QRS calls."),
      retries: z.number().int().min(0).max(10).default(3).describe("Retries on network errors and 5xx, with backoff."),
      qmcUrl: z.string().url().optional().describe("Base URL of the QMC for links in alerts, e.g. https://sense1.corp.example/qmc."),
      hubUrl: z.string().url().optional().describe("Base URL of the hub for links in alerts, e.g. https://sense1.corp.example/hub."),
      appBaseUrl: z
        .string()
        .url()
        .optional()
        .describe(
          "Base of app links in alerts, the app id appended (Butler's qlikSenseUrls.appBaseUrl), e.g. https://sense1.corp.example/my-proxy/sense/app for a virtual proxy. Default: the hub's host with /sense/app.",
        )
        .meta({ examples: ["https://sense1.corp.example/my-proxy/sense/app"] }),
    })
    .describe("Connection to Qlik Sense (QRS and Engine). Without it Steward cannot enrich events, start tasks or reload apps."),
);
export type QlikConfig = z.infer<typeof QlikSchema>;
