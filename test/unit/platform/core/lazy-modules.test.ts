// `steward run` loads only what it uses: the simulator, the demo (its SMTP server, the certificate generator),
// the Butler import and the embedded docs (imported with the first /help request) stay unloaded, nodemailer loads
// with the first mail and mqtt.js with the first MQTT message or broker connection, not at start. Schemas of what a
// config leaves out (QRS and Qlik Cloud answers, silence matchers, optional config blocks, channel types, request
// bodies) are not built, nor are the blocks with defaults a config leaves out, and the config schema is dropped
// after the parse. Each case runs in a fresh process, so the module registry shows exactly what that start loaded.
import { afterAll, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { RUN_MARK } from "../../../helpers/leftover-processes";
import { createTempDir } from "../../../helpers/temp-dir";

const ROOT = resolve(import.meta.dir, "../../../..");
const tmp = createTempDir();
afterAll(() => tmp.remove());

const LAZY = [
  "/src/sim/",
  "/src/show/demo/",
  "/src/platform/config/butler-import/",
  "/src/show/help/embedded-docs.ts",
  "node_modules/nodemailer/",
  "node_modules/node-forge/",
  "node_modules/smtp-server/",
  "node_modules/mqtt/",
  "node_modules/mqtt-packet/",
  // The assistant interface's MCP server: loaded by the first /mcp request, never at start (even with mcp.enabled).
  "/src/show/assistant/server.ts",
  "/src/show/assistant/dispatch.ts",
  "/src/show/assistant/read-tools.ts",
  // No MCP SDK at run time at all (it is the tests' client only).
  "node_modules/@modelcontextprotocol/",
  // The doctor's probes (GET /v4/doctor) and the PostgreSQL client they would open: loaded by the first doctor
  // request; the client otherwise only with store.postgres.
  "/src/show/doctor/from-config.ts",
  "node_modules/postgres/",
  // The OpenID Connect client (security.sso): loaded with the first sign-in, never by a Steward without single sign-on.
  "node_modules/openid-client/",
  "node_modules/oauth4webapi/",
  // jose checks the directory's back-channel logout tokens: loaded with the first one.
  "node_modules/jose/",
  // The pretty printer of log lines: loaded for a terminal (logging.format pretty), never for a service's JSON.
  "node_modules/pino-pretty/",
  // The dashboard's pages (their components and charts): loaded with the first page asked for.
  "/src/show/dashboard/page-handlers.ts",
  "/src/show/dashboard/pages/",
  // The noise report's measure, proposals and config edit: loaded with the first report asked for.
  "/src/show/noise/service.ts",
  "/src/show/noise/measure.ts",
  "/src/show/noise/propose.ts",
];

/** Schemas built on first use (z.lazy): [module under src/, export]. */
const LAZY_SCHEMAS = [
  ["platform/qlik/qrs-schemas.ts", "QrsTaskSchema"],
  ["platform/qlik/qrs-license.ts", "QrsAccessTypeOverviewSchema"],
  ["platform/qlik/config.ts", "QlikSchema"],
  ["start/mqtt/config.ts", "MqttSchema"],
  ["watch/heartbeat/config.ts", "HeartbeatSchema"],
  ["watch/site-monitor/config.ts", "LicenseReleaseSchema"],
  ["keep/files/config.ts", "FilesSchema"],
  ["tell/notify/channels/email/schema.ts", "EmailChannelSchema"],
  ["tell/notify/event-schema.ts", "AlertEventInputSchema"],
  ["start/scheduler/schedule-model.ts", "ScheduleInputSchema"],
  ["start/control/start-request.ts", "StartBodySchema"],
  ["hear/cloud/cloud-client.ts", "CloudReloadSchema"],
  ["tell/silences/matcher.ts", "SilenceMatcherSchema"],
] as const;

/** Optional config blocks whose schemas (their items' too) are built only when the config has the block: by the room whose config.ts declares it. */
const OPTIONAL_SECTIONS = ["checkins", "freshness", "cloud", "watchdog"];

/**
 * Blocks with defaults whose schemas are built only when the config has the block (defaultedSection), by the room
 * whose config.ts declares them; BASE's http and udp (the intake room's config.ts) are built, being in the file.
 */
const DEFAULTED_SECTIONS = ["store", "engine", "control", "kv", "scheduler", "incidents", "security", "audit", "maintenance", "grouping", "ack-links"];

/** Starts and stops the app the way `steward run` does, on `yaml`; returns the loaded modules that are in LAZY. */
async function lazyModulesLoaded(name: string, yaml: string): Promise<string[]> {
  return (await startAndInspect(name, yaml)).modules;
}

/**
 * Starts and stops the app on `yaml`; returns the loaded modules that are in LAZY and the LAZY_SCHEMAS that were built
 * (a z.lazy keeps what it built in its definition; a schema that is not lazy was built when its module loaded). `probeWorks` shows that the check sees a build: it is read again
 * after one safeParse of the first schema.
 */
async function startAndInspect(
  name: string,
  yaml: string,
  env: Record<string, string> = {},
): Promise<{
  modules: string[];
  schemasBuilt: string[];
  probeWorks: boolean;
  sectionsDescribed: string[];
  describedAll: string[];
  configSchemasAlive: number;
  configSchemasBuilt: number;
  answerSchemas: number;
  answerSchemasBuilt: number;
}> {
  // Every described schema is registered in zod's global registry as it is built: the features' config.ts files
  // (src/<wing>/<room>/config.ts) on the stack at that moment are the sections that built schemas.
  const script = `
    const { globalRegistry } = await import("zod");
    const described = new Set();
    const configSchemas = [];
    const register = globalRegistry.add.bind(globalRegistry);
    globalRegistry.add = (schema, meta) => {
      const stack = new Error().stack ?? "";
      const file = /\\/src\\/\\w+\\/([\\w-]+)\\/config\\.ts/.exec(stack)?.[1];
      if (file) described.add(file);
      if (/\\/src\\/platform\\/config\\//.test(stack)) configSchemas.push(new WeakRef(schema));
      return register(schema, meta);
    };
    await import(${JSON.stringify(join(ROOT, "src/main.ts"))});
    const { createApp } = await import(${JSON.stringify(join(ROOT, "src/app.ts"))});
    const { parseConfigText } = await import(${JSON.stringify(join(ROOT, "src/composition/config.ts"))});
    const { loggerFor } = await import(${JSON.stringify(join(ROOT, "src/show/cli/logging.ts"))});
    const loaded = parseConfigText(${JSON.stringify(yaml)}, "steward.yaml", ${JSON.stringify(join(tmp.path, name))});
    const app = createApp(loaded, { log: await loggerFor(loaded.config, {}, loaded.secrets) });
    await app.start();
    await app.stop(1000);
    const lazy = ${JSON.stringify(LAZY)};
    const hits = [...new Set(Object.keys(require.cache).flatMap((k) => lazy.filter((l) => k.includes(l))))];
    const built = (s) => s._zod.def.type !== "lazy" || s._zod.def._cachedInner !== undefined; // not lazy: built at import
    const schemas = [];
    for (const [file, name] of ${JSON.stringify(LAZY_SCHEMAS)}) schemas.push([name, (await import(${JSON.stringify(join(ROOT, "src"))} + "/" + file))[name]]);
    const schemasBuilt = schemas.filter(([, s]) => built(s)).map(([n]) => n);
    // The routes' answer schemas serve /openapi.json only: a function, or a z.lazy, that a start does not build.
    const answers = app.http.router.routes.flatMap((r) => Object.values(r.responses).flatMap((x) => (x.schema ? [x.schema] : [])));
    const answerSchemasBuilt = answers.filter((s) => typeof s !== "function" && built(s)).length;
    schemas[0][1].safeParse({});
    const sectionsDescribed = ${JSON.stringify(OPTIONAL_SECTIONS)}.filter((s) => described.has(s));
    const describedAll = [...described];
    // A WeakRef holds its target until the current job ends: collect after a turn of the event loop.
    await Bun.sleep(0);
    Bun.gc(true);
    const configSchemasAlive = configSchemas.filter((r) => r.deref() !== undefined).length;
    console.error("LOADED " + JSON.stringify({ modules: hits, schemasBuilt, describedAll, probeWorks: built(schemas[0][1]), sectionsDescribed, configSchemasAlive, configSchemasBuilt: configSchemas.length, answerSchemas: answers.length, answerSchemasBuilt }));
  `;
  // The start sees only the STEWARD_… variables a case gives (and the run's mark, which finds a leftover process): one
  // in the runner's environment (STEWARD_TEST_WORKERS of a measured suite run) is read as a possible setting, and a
  // case is about what its config builds.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("STEWARD_") || k === RUN_MARK));
  const proc = Bun.spawn([process.execPath, "-e", script], { cwd: ROOT, env: { ...inherited, ...env }, stdout: "ignore", stderr: "pipe" });
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
  const line = /^LOADED (.*)$/m.exec(err);
  if (code !== 0 || !line) throw new Error(`the start failed (exit ${code}): ${err.slice(-2000)}`);
  return JSON.parse(line[1]!) as Awaited<ReturnType<typeof startAndInspect>>;
}

const BASE = "logging: { level: silent, format: json }\nhttp: { host: 127.0.0.1, port: 0 }\nudp: { host: 127.0.0.1, port: 0 }\n";
/** One fresh process's start on BASE with no variable, inspected once: the three cases of a default start read it. */
let plain: ReturnType<typeof startAndInspect> | undefined;
const plainStart = () => (plain ??= startAndInspect("plain", BASE));

test("a default config loads none of the optional modules and builds none of the optional schemas", async () => {
  const seen = await plainStart();
  expect(seen.modules).toEqual([]);
  expect(seen.schemasBuilt).toEqual([]);
  expect(seen.probeWorks).toBe(true);
  expect(seen.sectionsDescribed).toEqual([]);
}, 60_000);

test("a default start builds none of the routes' answer schemas (they are built for /openapi.json)", async () => {
  const seen = await plainStart();
  expect(seen.answerSchemas).toBeGreaterThan(50);
  expect(seen.answerSchemasBuilt).toBe(0);
}, 60_000);

test("the config schema does not outlive the parse: a start keeps none of the schemas src/platform/config built", async () => {
  // Built per parse (configSchema()) and dropped: kept in module constants its ~1,400 zod objects stayed in the heap.
  // Blocks in the file, so that the parse builds some hundreds (a default config builds few: see the test above).
  const seen = await startAndInspect("dropped", `${BASE}intake: {}\nsecurity: {}\ncontrol: {}\nengineReloads: {}\nincidents: {}\ngrouping: {}\n`);
  expect(seen.configSchemasBuilt).toBeGreaterThan(200);
  expect(seen.configSchemasAlive).toBe(0);
}, 60_000);

test("a default config builds the schemas of none of the blocks with defaults it leaves out: their defaults are kept", async () => {
  // Before, the parse built every block to fill in its defaults: 316 described config schemas, these rooms all among them.
  const seen = await plainStart();
  expect(DEFAULTED_SECTIONS.filter((s) => seen.describedAll.includes(s))).toEqual([]);
  expect(seen.configSchemasBuilt).toBeLessThan(60);
  // A STEWARD_… variable that sets nothing (a secret for a placeholder, a test runner's) builds no second config
  // schema to learn that it is no top-level setting: it built 32 more (91), which once failed this test in a suite
  // run with STEWARD_TEST_WORKERS=4.
  const withVariable = await startAndInspect("defaulted-variable", BASE, { STEWARD_TLS_PASSPHRASE: "pw" });
  expect(withVariable.configSchemasBuilt).toBe(seen.configSchemasBuilt);
  const withKv = await startAndInspect("defaulted-kv", `${BASE}kv: {}\n`);
  expect(DEFAULTED_SECTIONS.filter((s) => withKv.describedAll.includes(s))).toEqual(["kv"]);
}, 60_000);

test("an optional config block builds its schemas when the config has it (what the check above relies on)", async () => {
  const seen = await startAndInspect("freshness", `${BASE}freshness:\n  promises: {}\n`);
  expect(seen.sectionsDescribed).toEqual(["freshness"]);
}, 60_000);

test("a config with an email channel does not load nodemailer until a mail is sent", async () => {
  const yaml = `${BASE}channels:\n  ops: { type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: s@example.com, to: [o@example.com] }\n`;
  expect(await lazyModulesLoaded("mail", yaml)).toEqual([]);
}, 60_000);

test("a config with an MQTT channel does not load mqtt.js until a message is sent", async () => {
  const yaml = `${BASE}channels:\n  bus: { type: mqtt, url: 'mqtt://127.0.0.1:1883' }\n`;
  expect(await lazyModulesLoaded("mqtt-channel", yaml)).toEqual([]);
}, 60_000);

test("a config with the assistant interface on does not load its MCP server until the first /mcp request", async () => {
  expect(await lazyModulesLoaded("mcp", `${BASE}mcp: { enabled: true }\n`)).toEqual([]);
}, 60_000);
