// Where Steward keeps its durable state: the embedded SQLite file in dataDir (the default, one Steward per site),
// or a PostgreSQL database shared by one Steward per Qlik node (a cluster).
import { z } from "zod";

export const postgresTlsSchema = () =>
  z
    .strictObject({
      mode: z
        .enum(["require", "verify-full"])
        .default("verify-full")
        .describe("require: encrypt without checking the server's certificate; verify-full: check it against caFile (or the system CAs) and the host name."),
      caFile: z
        .string()
        .min(1)
        .optional()
        .describe("PEM file of the CA that signed the server's certificate; relative to the config file.")
        .meta({ examples: ["./certs/pg-ca.pem"] }),
      certFile: z
        .string()
        .min(1)
        .optional()
        .describe("PEM client certificate, for servers that require one (hostssl … cert).")
        .meta({ examples: ["./certs/pg-client.pem"] }),
      keyFile: z
        .string()
        .min(1)
        .optional()
        .describe("PEM key of certFile.")
        .meta({ examples: ["./certs/pg-client.key"] }),
      servername: z
        .string()
        .min(1)
        .optional()
        .describe("Host name to check the certificate against, when the URL names the server differently.")
        .meta({ examples: ["pg.corp.example"] }),
    })
    .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), { message: "certFile and keyFile go together", path: ["keyFile"] })
    .describe("TLS to PostgreSQL. Without this section the connection is plain TCP (or whatever sslmode the URL asks for).");

export const postgresStoreSchema = () =>
  z
    .strictObject({
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
        .describe("postgres://user:password@host:5432/database — keep the password out of the file with ${env:NAME} or ${file:PATH}.")
        .meta({ examples: ["postgres://steward:${env:STEWARD_PG_PASSWORD}@pg.corp.example:5432/steward"] }),
      maxConnections: z.number().int().min(2).max(100).default(10).describe("Connections this Steward opens at most."),
      connectTimeoutMs: z.number().int().min(500).max(120_000).default(10_000).describe("How long a connection attempt may take."),
      statementTimeoutMs: z
        .number()
        .int()
        .min(1_000)
        .max(600_000)
        .default(10_000)
        .describe(
          "How long one statement may take, and a transaction stay idle between two. The server cancels the statement (or ends the transaction) then; if the server does not answer at all (a network cut), Steward drops the connection 2 s later. A REST request stops waiting for the store 6 s after it arrived whatever this says, and is answered 503 within 7 s. Migrations at start get 10 minutes.",
        ),
      tls: postgresTlsSchema().optional(),
      instanceName: z
        .string()
        .min(1)
        .max(100)
        .optional()
        .describe("This Steward's name in the cluster (/ready, the dashboard, /metrics, logs). Default: the host name.")
        .meta({ examples: ["sense1"] }),
      leaseTtlMs: z
        .number()
        .int()
        .min(2_000)
        .max(300_000)
        .default(15_000)
        .describe(
          "How long a site-wide duty (schedules, reconciliation, distribute polling, site monitors) stays with a Steward that stopped renewing it: another takes over within this time.",
        ),
      heartbeatIntervalMs: z
        .number()
        .int()
        .min(200)
        .max(60_000)
        .default(3_000)
        .describe("How often each Steward renews its leases and heartbeat; also how often it reads API keys changed elsewhere."),
      peerPollIntervalMs: z
        .number()
        .int()
        .min(200)
        .max(60_000)
        .default(1_000)
        .describe(
          "While the cluster has other members: how often each Steward looks in the store for work another wrote there (deliveries to send, dashboard events), and every second such interval for escalation timers and schedules changed elsewhere. Longer: fewer statements, slower hand-over of that work. Alone in the cluster it looks only at the heartbeat's pace (this interval's, if that is longer).",
        ),
      maxClockOffsetMs: z
        .number()
        .int()
        .min(100)
        .max(600_000)
        .default(10_000)
        .describe(
          "A Steward whose clock differs from the database's by more than this takes no site-wide duty (it says why in /ready and the log) until the clocks agree again. Within it, schedules and audit times are corrected by the measured offset.",
        ),
    })
    .refine((p) => p.heartbeatIntervalMs * 2 <= p.leaseTtlMs, {
      message: "heartbeatIntervalMs must be at most half of leaseTtlMs (a lease must survive one missed renewal)",
      path: ["heartbeatIntervalMs"],
    })
    .describe("A PostgreSQL database shared by all Stewards of a site (one per Qlik node).");

export const storeSchema = () =>
  z
    .strictObject({
      postgres: postgresStoreSchema().optional(),
    })
    .describe("The durable store. Default: the embedded SQLite file in dataDir. With postgres: a store shared by a cluster of Stewards.");

export type StoreConfig = z.infer<ReturnType<typeof storeSchema>>;
export type PostgresStoreConfig = z.infer<ReturnType<typeof postgresStoreSchema>>;
