// Where Steward keeps its durable state: the embedded SQLite file in dataDir (the default, one Steward per site),
// or a PostgreSQL database shared by one Steward per Qlik node (a cluster).
import { z } from "zod";

export const PostgresTlsSchema = z
  .strictObject({
    mode: z
      .enum(["require", "verify-full"])
      .default("verify-full")
      .describe("require: encrypt without checking the server's certificate; verify-full: check it against caFile (or the system CAs) and the host name."),
    caFile: z.string().min(1).optional().describe("PEM file of the CA that signed the server's certificate; relative to the config file."),
    certFile: z.string().min(1).optional().describe("PEM client certificate, for servers that require one (hostssl … cert)."),
    keyFile: z.string().min(1).optional().describe("PEM key of certFile."),
    servername: z.string().min(1).optional().describe("Host name to check the certificate against, when the URL names the server differently."),
  })
  .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), { message: "certFile and keyFile go together", path: ["keyFile"] })
  .describe("TLS to PostgreSQL. Without this section the connection is plain TCP (or whatever sslmode the URL asks for).");

export const PostgresStoreSchema = z
  .strictObject({
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
      .describe("postgres://user:password@host:5432/database — keep the password out of the file with ${env:NAME} or ${file:PATH}."),
    maxConnections: z.number().int().min(2).max(100).default(10).describe("Connections this Steward opens at most."),
    connectTimeoutMs: z.number().int().min(500).max(120_000).default(10_000).describe("How long a connection attempt may take."),
    tls: PostgresTlsSchema.optional(),
  })
  .describe("A PostgreSQL database shared by all Stewards of a site (one per Qlik node).");

export const StoreSchema = z
  .strictObject({
    postgres: PostgresStoreSchema.optional(),
  })
  .describe("The durable store. Default: the embedded SQLite file in dataDir. With postgres: a store shared by a cluster of Stewards.");

export type StoreConfig = z.infer<typeof StoreSchema>;
export type PostgresStoreConfig = z.infer<typeof PostgresStoreSchema>;

/**
 * Modules that still keep their state only in the local SQLite file. While any is listed, a PostgreSQL store
 * would split the state between the database and each node's file — so `store.postgres` is refused, by name.
 */
export const MODULES_NOT_ON_POSTGRES: readonly string[] = [
  "dashboard history",
];

export function checkStoreSupported(config: { store: StoreConfig }, ctx: z.RefinementCtx): void {
  if (!config.store.postgres || MODULES_NOT_ON_POSTGRES.length === 0) return;
  ctx.addIssue({
    code: "custom",
    path: ["store", "postgres"],
    message:
      `this build cannot run on a PostgreSQL store yet: ${MODULES_NOT_ON_POSTGRES.join(", ")} still keep their state in the local SQLite file. ` +
      "Remove store.postgres and run one Steward per site (see README, Multi-node sites)",
  });
}
