// Real test counterparts from Debian packages (mosquitto, influxd 1.x, VictoriaMetrics, PostgreSQL), each started as a
// child process on free loopback ports with its own temp data dir; stop() kills it by PID and cleans up.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { startPrivatePostgres, type HaltMode } from "../../src/show/demo/private-postgres";
import { startProcess, type RunningProcess } from "./child-process";
import { postgresTemplate } from "./postgres-template";
import { sharedPostgres, sharedPostgresInfo } from "./shared-postgres";
import { findExecutable, requireTool } from "./executables";
import { freeTcpPorts } from "./free-port";
import { createTempDir, type TempDir } from "./temp-dir";
import { waitFor, waitForHttp, waitForTcp } from "./wait-for";

export interface TestService {
  host: string;
  port: number;
  /** mqtt://host:port for mosquitto, http://host:port for the HTTP servers. */
  url: string;
  dataDir: string;
  pid: number;
  /** What the process printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export const HOST = "127.0.0.1";
export const READY_TIMEOUT_MS = 20_000;

/**
 * A free port handed out by the OS is in the ephemeral range, where an outgoing connection of another test's
 * client may take it before the service binds it: such a start is tried again on a new port (at most 3 times).
 */
export async function retryOnPortClash<T>(what: string, start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      if (attempt >= 3 || !/address already in use|EADDRINUSE|could not bind/i.test(text)) throw err;
      console.warn(`${what}: its port was taken before it could bind; trying another (attempt ${attempt + 1})`);
    }
  }
}

/** Starts `proc` (already spawned), waits for `ready`, and wraps it; on failure kills it and throws with its output. */
export async function finishStart(
  name: string,
  proc: RunningProcess,
  dir: TempDir,
  port: number,
  url: string,
  ready: () => Promise<unknown>,
): Promise<TestService> {
  const stop = async () => {
    await proc.stop("SIGTERM", 5_000);
    dir.remove();
  };
  try {
    // Fail fast if the process dies instead of waiting out the whole timeout.
    await Promise.race([
      ready(),
      proc.exited.then((code) => {
        throw new Error(`${name} exited with code ${code} before it was ready`);
      }),
    ]);
  } catch (err) {
    await stop();
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${name} did not start: ${msg}\n--- ${name} output ---\n${proc.output().slice(-4000)}`, {
      cause: err,
    });
  }
  return { host: HOST, port, url, dataDir: dir.path, pid: proc.pid, output: proc.output, stop };
}

export interface MosquittoOptions {
  /** username → password; when given, anonymous clients are refused. */
  users?: Record<string, string>;
  /** PEM files for a TLS listener (url becomes mqtts://). */
  tls?: { certFile: string; keyFile: string; caFile?: string; requireClientCert?: boolean };
  /** A fixed port, so a test can stop the broker and start it again where clients expect it. */
  port?: number;
}

/** Mosquitto 2.x, no persistence, one listener on loopback (plain, or TLS; anonymous unless `users`). */
export function startMosquitto(opts: MosquittoOptions = {}): Promise<TestService> {
  return retryOnPortClash("startMosquitto", () => startMosquittoOnce(opts));
}

async function startMosquittoOnce(opts: MosquittoOptions = {}): Promise<TestService> {
  const bin = requireTool("mosquitto");
  const dir = createTempDir("steward-mosquitto-");
  const [port] = opts.port !== undefined ? [opts.port] : await freeTcpPorts(1);
  if (port === undefined) throw new Error("no free port");
  const lines = [`listener ${port} ${HOST}`, "persistence false", "log_dest stdout"];
  // Started as root, mosquitto would switch to user "mosquitto" and lose access to our 0700 temp dirs;
  // as any other user it keeps its identity anyway.
  if (process.getuid?.() === 0) lines.push("user root");
  if (opts.users && Object.keys(opts.users).length > 0) {
    const pwFile = join(dir.path, "passwd");
    writeFileSync(
      pwFile,
      `${Object.entries(opts.users)
        .map(([u, p]) => `${u}:${p}`)
        .join("\n")}\n`,
      { mode: 0o600 },
    );
    // mosquitto_passwd -U hashes a plain "user:password" file in place.
    const passwd = findExecutable(["mosquitto_passwd"]) ?? join(dirname(bin), "mosquitto_passwd");
    const hash = Bun.spawnSync([passwd, "-U", pwFile], {
      stdout: "pipe",
      stderr: "pipe",
      timeout: 10_000,
    });
    if (hash.exitCode !== 0) {
      dir.remove();
      throw new Error(`mosquitto_passwd failed: ${hash.stderr.toString()}`);
    }
    lines.push("allow_anonymous false", `password_file ${pwFile}`);
  } else {
    lines.push("allow_anonymous true");
  }
  if (opts.tls) {
    lines.push(`certfile ${opts.tls.certFile}`, `keyfile ${opts.tls.keyFile}`);
    if (opts.tls.caFile) lines.push(`cafile ${opts.tls.caFile}`);
    if (opts.tls.requireClientCert) lines.push("require_certificate true");
  }
  const conf = join(dir.path, "mosquitto.conf");
  writeFileSync(conf, `${lines.join("\n")}\n`);
  const proc = startProcess(bin, ["-c", conf], { cwd: dir.path });
  const scheme = opts.tls ? "mqtts" : "mqtt";
  return finishStart("mosquitto", proc, dir, port, `${scheme}://${HOST}:${port}`, () => waitForTcp(HOST, port, { timeoutMs: READY_TIMEOUT_MS }));
}

export interface InfluxDb1Options {
  /** Turns on HTTP auth and creates this admin user (all privileges) right after start. */
  admin?: { username: string; password: string };
}

/** influxd 1.x with HTTP on a free port, internal monitoring and reporting off; no auth unless `admin`. */
export function startInfluxDb1(opts: InfluxDb1Options = {}): Promise<TestService> {
  return retryOnPortClash("startInfluxDb1", () => startInfluxDb1Once(opts));
}

async function startInfluxDb1Once(opts: InfluxDb1Options = {}): Promise<TestService> {
  const bin = requireTool("influxd");
  const dir = createTempDir("steward-influxd-");
  const [port, rpcPort] = await freeTcpPorts(2);
  if (port === undefined || rpcPort === undefined) throw new Error("no free port");
  const conf = join(dir.path, "influxdb.conf");
  const d = (sub: string) => JSON.stringify(join(dir.path, sub));
  writeFileSync(
    conf,
    [
      "reporting-disabled = true",
      `bind-address = "${HOST}:${rpcPort}"`,
      "[meta]",
      `  dir = ${d("meta")}`,
      "  logging-enabled = false",
      "[data]",
      `  dir = ${d("data")}`,
      `  wal-dir = ${d("wal")}`,
      "  query-log-enabled = false",
      "[monitor]",
      "  store-enabled = false",
      "[subscriber]",
      "  enabled = false",
      "[continuous_queries]",
      "  enabled = false",
      "[http]",
      "  enabled = true",
      `  bind-address = "${HOST}:${port}"`,
      `  auth-enabled = ${opts.admin ? "true" : "false"}`,
      "  log-enabled = false",
      "  pprof-enabled = false",
      "  unix-socket-enabled = false",
      "",
    ].join("\n"),
  );
  const proc = startProcess(bin, ["-config", conf], { cwd: dir.path });
  const url = `http://${HOST}:${port}`;
  return finishStart("influxd", proc, dir, port, url, async () => {
    await waitForHttp(`${url}/ping`, { status: 204, timeoutMs: READY_TIMEOUT_MS });
    if (opts.admin) {
      // InfluxDB 1.x lets an unauthenticated client create the first admin user, and nothing else.
      const { username, password } = opts.admin;
      const q = `CREATE USER "${username}" WITH PASSWORD '${password.replaceAll("'", "\\'")}' WITH ALL PRIVILEGES`;
      // A statement's own error comes back with HTTP 200 in the body, and right after start the meta store may not take
      // it yet: the suite once saw every later query answered 403 "create admin user first". Tried until a query
      // with the user's credentials is answered.
      let last = "";
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (Date.now() < deadline) {
        const res = await fetch(`${url}/query`, { method: "POST", body: new URLSearchParams({ q }) });
        last = `HTTP ${res.status} ${await res.text()}`;
        const auth = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
        const check = await fetch(`${url}/query?q=SHOW+USERS`, { headers: { authorization: auth } });
        if (check.status === 200 && !(await check.text()).includes('"error"')) return;
        await Bun.sleep(100);
      }
      throw new Error(`creating the admin user: ${last}`);
    }
  });
}

/**
 * Creates a database on influxd 1.x and returns once a write to it is accepted: right after CREATE DATABASE answers,
 * a write can still be answered 404 "database not found" on a loaded machine (seen in a fresh clone's `npm test`). An
 * empty write is the probe: 404 while the database is unknown, 204 once it takes writes, and it writes nothing.
 */
export async function createInfluxDb1Database(influx: Pick<TestService, "url">, db: string, auth?: { username: string; password: string }): Promise<void> {
  const creds: Record<string, string> = auth ? { u: auth.username, p: auth.password } : {};
  const created = await fetch(`${influx.url}/query`, { method: "POST", body: new URLSearchParams({ q: `CREATE DATABASE "${db}"`, ...creds }) });
  const text = await created.text();
  if (!created.ok || text.includes('"error"')) throw new Error(`CREATE DATABASE ${db}: HTTP ${created.status} ${text}`);
  await waitFor(async () => (await fetch(`${influx.url}/write?${new URLSearchParams({ db, ...creds })}`, { method: "POST", body: "" })).status === 204, {
    what: `influxd to take writes to the new database ${db}`,
    timeoutMs: READY_TIMEOUT_MS,
  });
}

export interface VictoriaMetricsOptions {
  /** Prometheus scrape targets ("127.0.0.1:8080", path /metrics), scraped every `scrapeInterval` (default 1s). */
  scrape?: { targets: string[]; scrapeInterval?: string };
}

/**
 * VictoriaMetrics single node. Accepts InfluxDB line protocol on `/write` and `/api/v2/write` over HTTP;
 * read back with `/api/v1/export` (raw samples) after `/internal/force_flush` (see flushVictoriaMetrics).
 * With `scrape` it also scrapes Prometheus targets and answers PromQL on /api/v1/query(_range).
 */
export function startVictoriaMetrics(opts: VictoriaMetricsOptions = {}): Promise<TestService> {
  return retryOnPortClash("startVictoriaMetrics", () => startVictoriaMetricsOnce(opts));
}

async function startVictoriaMetricsOnce(opts: VictoriaMetricsOptions = {}): Promise<TestService> {
  const bin = requireTool("victoriaMetrics");
  const dir = createTempDir("steward-vm-");
  const [port] = await freeTcpPorts(1);
  if (port === undefined) throw new Error("no free port");
  const scrapeArgs: string[] = [];
  if (opts.scrape) {
    const file = join(dir.path, "scrape.yml");
    const targets = opts.scrape.targets.map((t) => JSON.stringify(t)).join(", ");
    writeFileSync(
      file,
      `scrape_configs:\n  - job_name: steward\n    scrape_interval: ${opts.scrape.scrapeInterval ?? "1s"}\n    static_configs:\n      - targets: [${targets}]\n`,
    );
    scrapeArgs.push(`-promscrape.config=${file}`);
  }
  const proc = startProcess(
    bin,
    [
      ...scrapeArgs,
      `-httpListenAddr=${HOST}:${port}`,
      `-storageDataPath=${join(dir.path, "data")}`,
      "-retentionPeriod=100y",
      // Tests write and read back within milliseconds: make fresh samples visible to queries at once.
      "-search.latencyOffset=0s",
      "-search.disableCache",
      "-loggerLevel=ERROR",
      "-memory.allowedPercent=10",
    ],
    { cwd: dir.path },
  );
  const url = `http://${HOST}:${port}`;
  return finishStart("victoria-metrics", proc, dir, port, url, () => waitForHttp(`${url}/health`, { timeoutMs: READY_TIMEOUT_MS }));
}

/** Makes recently ingested samples searchable now (VictoriaMetrics buffers them for up to ~1 s). */
export async function flushVictoriaMetrics(vm: Pick<TestService, "url">): Promise<void> {
  await waitFor(
    async () => {
      const res = await fetch(`${vm.url}/internal/force_flush`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`force_flush: HTTP ${res.status}`);
      return true;
    },
    { what: "VictoriaMetrics force_flush", timeoutMs: 10_000 },
  );
}

export interface PostgresService extends TestService {
  /** postgres://steward:<password>@127.0.0.1:<port>/postgres — the superuser the tests connect as. */
  url: string;
  user: string;
  password: string;
  /**
   * A fresh, empty database named `name` (dropped first if it exists); returns its URL. On the run's shared server it
   * is a schema of the worker's database, named in the URL's search_path (shared-postgres.ts): the tables a Steward
   * makes and finds are its own, but database-wide things (pg_stat_activity's datname, advisory locks) are shared
   * with the file's other "databases".
   */
  createDatabase(name: string): Promise<string>;
  /** true on the run's shared server, where createDatabase makes a schema: cheap enough to make one per store. */
  readonly databasesAreSchemas: boolean;
  /** Stops the server, keeping the data: fast (SIGINT, the default), immediate (SIGQUIT) or killed with its backends. */
  halt(mode?: HaltMode): Promise<void>;
  /** Starts the same data directory again on the same port after halt(). */
  resume(): Promise<void>;
}

export interface PostgresOptions {
  /** Commits acknowledged only once written (a server that is killed keeps them); always a server of the file's own. */
  durableCommits?: boolean;
  /**
   * A server of the file's own even under `npm test`, which otherwise hands every file its own databases on one
   * server for the run (test/helpers/shared-postgres.ts): for a file that halts, resumes or signals its server.
   */
  own?: boolean;
  /** The folder the server's own folder is made in (a server of the file's own): e.g. a small file system to fill. */
  parentDir?: string;
}

/**
 * A PostgreSQL for the test file: under `npm test` its databases on the run's one server (shared-postgres.ts),
 * else (or with `own`, or `durableCommits`) a private server (src/show/demo/private-postgres.ts, the code
 * `steward demo --cluster` runs too) on a free test port: a copy of the initdb template in a temp dir, password
 * (scram) login for user "steward", run as nobody when the tests run as root.
 */
export function startPostgres(options: PostgresOptions = {}): Promise<PostgresService> {
  const shared = options.own || options.durableCommits || options.parentDir ? undefined : sharedPostgresInfo();
  if (shared) return Promise.resolve(sharedPostgres(shared));
  return retryOnPortClash("startPostgres", () => startPostgresOnce(options));
}

async function startPostgresOnce(options: { durableCommits?: boolean; parentDir?: string }): Promise<PostgresService> {
  const programs = {
    postgres: requireTool("postgres"),
    initdb: requireTool("initdb"),
    ...(process.getuid?.() === 0 ? { setpriv: requireTool("setpriv") } : {}),
  };
  const [port] = await freeTcpPorts(1);
  if (port === undefined) throw new Error("no free port");
  const template = await postgresTemplate(programs);
  const pg = await startPrivatePostgres({ port, programs, readyTimeoutMs: READY_TIMEOUT_MS, template, ...options }).catch((err: unknown) => {
    throw new Error(`postgres did not start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });
  return {
    host: pg.host,
    port: pg.port,
    url: pg.url,
    user: pg.user,
    password: pg.password,
    dataDir: pg.dir,
    get pid() {
      return pg.pid;
    },
    output: pg.output,
    databasesAreSchemas: false,
    createDatabase: pg.createDatabase,
    halt: pg.halt,
    resume: pg.resume,
    stop: pg.stop,
  };
}
