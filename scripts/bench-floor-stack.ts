// The stack's floor (scripts/bench-floor-target.ts floor PORT): only the libraries every Steward start loads (hono,
// zod, pino, yaml, croner, eta), each used once the way Steward uses it, and one Hono route answering
// GET /v4/butlerping as Steward does. What Steward idles at or spends above this is its own.
import { Cron } from "croner";
import { Eta } from "eta";
import { Hono } from "hono";
import pino from "pino";
import { parse } from "yaml";
import { z } from "zod";

const ConfigSchema = z.object({
  http: z.object({ host: z.string().default("127.0.0.1"), port: z.number().int().min(0).max(65_535) }),
  logging: z.object({ level: z.enum(["debug", "info", "warn", "error", "silent"]).default("info") }).default({ level: "info" }),
  schedule: z.string().default("0 3 * * *"),
});

const port = Number(process.argv[3] ?? 0);
const config = ConfigSchema.parse(parse(`http: { host: 127.0.0.1, port: ${port} }\nlogging: { level: info }\n`));
const log = pino({ level: config.logging.level });
// A job that never fires while the bench runs (3 a.m.), as Steward's scheduler keeps its cron jobs.
const job = new Cron(config.schedule, { paused: true }, () => {});
const page = new Eta().renderString("<%= it.name %> is ready; next run <%= it.next %>", { name: "floor", next: job.nextRun()?.toISOString() });

const app = new Hono();
app.get("/v4/butlerping", (c) => c.json({ response: "Butler reporting for duty", butlerVersion: "16.0.4" }));
const server = Bun.serve({ hostname: config.http.host, port: config.http.port, fetch: app.fetch });
log.info({ port: server.port }, page);
console.log(`READY ${server.port}`);
