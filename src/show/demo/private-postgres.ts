// A private, throw-away PostgreSQL server from the machine's own PostgreSQL programs (Debian's `postgresql`):
// initdb into a folder of its own, listening on 127.0.0.1 only, its socket in that folder, password (scram)
// logins for user "steward". `steward demo --cluster` runs its cluster on one; the benchmark and the tests
// start theirs with the same code. PostgreSQL refuses to run as root, so under root the folder is handed to
// nobody and both programs run through setpriv.
import type Postgres from "postgres";
import { sleep, wallClock } from "../../platform/core/clock";
import { spawn, spawnSync } from "node:child_process";
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { AppError } from "../../platform/core/errors";

/** Debian keeps the server programs in /usr/lib/postgresql/<major>/bin, newest major first. */
export function postgresBinDirs(root = "/usr/lib/postgresql"): string[] {
  try {
    return readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => join(root, v, "bin"));
  } catch {
    return [];
  }
}

/** Where programs are looked for: PATH, the sbin folders a non-root PATH lacks, then PostgreSQL's bin folders. */
export function programSearchDirs(): string[] {
  return [...(process.env.PATH ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/sbin", "/usr/local/sbin", ...postgresBinDirs()];
}

/** The first `name` found executable in `dirs`. */
export function findProgram(name: string, dirs: readonly string[] = programSearchDirs()): string | undefined {
  const names = process.platform === "win32" ? [`${name}.exe`, name] : [name];
  for (const dir of dirs) {
    for (const n of names) {
      const path = join(dir, n);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export const POSTGRES_INSTALL_HINT =
  process.platform === "win32"
    ? "install PostgreSQL and put its bin folder (with postgres.exe and initdb.exe) on PATH"
    : "run `sudo bash scripts/install-test-deps.sh` in Steward's source folder (or `sudo apt-get install postgresql`)";

export interface PostgresPrograms {
  postgres: string;
  initdb: string;
  /** Drops root to nobody; only needed (and looked for) when running as root. */
  setpriv?: string;
}

/** The server programs, or an error naming what is missing and the command that installs it. */
export function findPostgresPrograms(dirs: readonly string[] = programSearchDirs(), asRoot = process.getuid?.() === 0): PostgresPrograms {
  const postgres = findProgram("postgres", dirs);
  // initdb must come from the same major version as the server: prefer the one next to it.
  const sibling = postgres ? join(dirname(postgres), "initdb") : undefined;
  const initdb = sibling && existsSync(sibling) ? sibling : findProgram("initdb", dirs);
  const setpriv = asRoot ? findProgram("setpriv", dirs) : undefined;
  const missing = [!postgres && "postgres", !initdb && "initdb"].filter(Boolean) as string[];
  if (missing.length) {
    throw new AppError(
      "UNAVAILABLE",
      `PostgreSQL's server programs (${missing.join(", ")}; Debian package postgresql) are not installed: ${POSTGRES_INSTALL_HINT}`,
    );
  }
  if (asRoot && !setpriv) {
    throw new AppError(
      "UNAVAILABLE",
      `setpriv (Debian package util-linux) is needed to run PostgreSQL as nobody when Steward runs as root: ${POSTGRES_INSTALL_HINT}`,
    );
  }
  return { postgres: postgres!, initdb: initdb!, ...(setpriv ? { setpriv } : {}) };
}

export interface PrivatePostgresOptions {
  /** 127.0.0.1 port to listen on (the caller picks a free one). */
  port: number;
  /** Prefix of the temp folder that holds the data, the socket and the password file. */
  prefix?: string;
  /** Where that folder is made (the system's temp folder by default): a test puts it on a small file system of its own. */
  parentDir?: string;
  programs?: PostgresPrograms;
  readyTimeoutMs?: number;
  /**
   * Commits are acknowledged only once their WAL is written, so a server killed (or shut down "immediate") keeps
   * every commit it acknowledged. Off by default: a throw-away database is faster without.
   */
  durableCommits?: boolean;
  /**
   * A data folder initDataFolder made with the same programs, and its password: copied instead of running initdb
   * (~1.4 s of CPU; a copy ~0.2 s). The tests start dozens of servers from one.
   */
  template?: { dataDir: string; password: string };
  /** Connections the server takes (default 200); the test suite's one server for every test file needs more. */
  maxConnections?: number;
}

export interface PrivatePostgres {
  host: string;
  port: number;
  /** postgres://steward:<password>@127.0.0.1:<port>/postgres — a superuser. */
  url: string;
  user: string;
  password: string;
  /** The folder that holds everything; stop() removes it. */
  dir: string;
  dataDir: string;
  /** PID of the postmaster. */
  readonly pid: number;
  /** What the server printed so far (the last 64 KB). */
  output(): string;
  /** A fresh, empty database (dropped first if it exists); returns its URL. */
  createDatabase(name: string): Promise<string>;
  /**
   * Stops the server and keeps the data: "fast" (SIGINT, the default) disconnects clients, "immediate" (SIGQUIT)
   * aborts every backend without a checkpoint, "kill" SIGKILLs the postmaster and its backends as a crash would.
   */
  halt(mode?: HaltMode): Promise<void>;
  /** Starts the same data folder again on the same port after halt(). */
  resume(): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

export type HaltMode = "fast" | "immediate" | "kill";

const HOST = "127.0.0.1";
const NOBODY = 65534;
const MAX_OUTPUT = 64 * 1024;

interface ServerProcess {
  pid: number;
  exited: Promise<number>;
  ended(): boolean;
}

const USER = "steward";

/** The programs' command line, through setpriv to nobody when running as root (PostgreSQL refuses root). */
function asServerUser(programs: PostgresPrograms, bin: string, args: string[]): string[] {
  return process.getuid?.() === 0 ? [programs.setpriv!, `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", bin, ...args] : [bin, ...args];
}

/** initdb into `dir`/data (`dir` exists and is the server user's): user "steward" with `password`. */
export function initDataFolder(programs: PostgresPrograms, dir: string, password: string): string {
  const dataDir = join(dir, "data");
  const pwFile = join(dir, "pwfile");
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    chownSync(dir, NOBODY, NOBODY);
    chownSync(pwFile, NOBODY, NOBODY);
  }
  const [initCmd, ...initArgs] = asServerUser(programs, programs.initdb, [
    "-D",
    dataDir,
    "-U",
    USER,
    `--pwfile=${pwFile}`,
    "--auth-host=scram-sha-256",
    "--auth-local=trust",
    "--encoding=UTF8",
    "--locale=C",
    "--no-sync",
  ]);
  // cwd: the programs look up their working folder, which nobody may not be allowed to read.
  const init = spawnSync(initCmd!, initArgs, { cwd: dir, encoding: "utf8", timeout: 60_000 });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status ?? init.signal ?? init.error?.message}): ${init.stderr ?? ""}${init.stdout ?? ""}`);
  return dataDir;
}

export async function startPrivatePostgres(o: PrivatePostgresOptions): Promise<PrivatePostgres> {
  const programs = o.programs ?? findPostgresPrograms();
  const dir = mkdtempSync(join(o.parentDir ?? tmpdir(), o.prefix ?? "steward-pg-"));
  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  const argv = (bin: string, args: string[]) => asServerUser(programs, bin, args);
  const user = USER;
  const password = o.template?.password ?? `pw-${crypto.randomUUID()}`;
  const dataDir = join(dir, "data");
  let out = "";
  const keep = (s: string) => {
    out = (out + s).slice(-MAX_OUTPUT);
  };
  try {
    if (o.template) {
      if (process.getuid?.() === 0) chownSync(dir, NOBODY, NOBODY);
      // -a: the server user's ownership and initdb's 0700 modes, which the server insists on.
      const copy = spawnSync("cp", ["-a", o.template.dataDir, dataDir], { encoding: "utf8", timeout: 60_000 });
      if (copy.status !== 0) throw new Error(`copying ${o.template.dataDir} failed (${copy.status ?? copy.signal}): ${copy.stderr ?? ""}`);
    } else initDataFolder(programs, dir, password);
  } catch (err) {
    remove();
    throw err;
  }
  const url = `postgres://${user}:${password}@${HOST}:${o.port}/postgres`;
  const { default: postgres } = await import("postgres");

  const spawnServer = (): ServerProcess => {
    const [cmd, ...args] = argv(programs.postgres, [
      "-D",
      dataDir,
      "-p",
      String(o.port),
      "-k",
      dir,
      "-c",
      `listen_addresses=${HOST}`,
      // A throw-away database: the disk's durability is not what it is for, speed is welcome.
      // fsync=off still survives the server's own crash (the OS keeps what was written); synchronous_commit=off does not.
      "-c",
      "fsync=off",
      "-c",
      `synchronous_commit=${o.durableCommits ? "on" : "off"}`,
      "-c",
      "full_page_writes=off",
      "-c",
      `max_connections=${o.maxConnections ?? 200}`,
    ]);
    const child = spawn(cmd!, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.setEncoding("utf8").on("data", keep);
    child.stderr?.setEncoding("utf8").on("data", keep);
    let ended = false;
    const exited = new Promise<number>((resolve) => {
      child.once("exit", (code, signal) => {
        ended = true;
        resolve(code ?? (signal ? -1 : 0));
      });
      child.once("error", (e) => {
        ended = true;
        keep(`\n[spawn error] ${e.message}`);
        resolve(-1);
      });
    });
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
    // A caller that dies without stop() must not leave a server behind.
    const onExit = () => {
      if (!ended) kill(child.pid!, "SIGKILL");
    };
    process.once("exit", onExit);
    void exited.then(() => process.removeListener("exit", onExit));
    return { pid: child.pid, exited, ended: () => ended };
  };

  const startAndWait = async (): Promise<ServerProcess> => {
    const proc = spawnServer();
    try {
      await waitUntilReady(postgres, url, proc, o);
      return proc;
    } catch (err) {
      await shutdown(proc);
      throw new Error(`${(err as Error).message}\n--- postgres output ---\n${out.slice(-4000)}`, { cause: err });
    }
  };

  let proc: ServerProcess;
  try {
    proc = await startAndWait();
  } catch (err) {
    remove();
    throw err;
  }
  return {
    host: HOST,
    port: o.port,
    url,
    user,
    password,
    dir,
    dataDir,
    get pid() {
      return proc.pid;
    },
    output: () => out,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name}: use lower-case letters, digits and _`);
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await sql.unsafe(`CREATE DATABASE ${name}`);
      } finally {
        await sql.end({ timeout: 1 });
      }
      return `postgres://${user}:${password}@${HOST}:${o.port}/${name}`;
    },
    halt: (mode?: HaltMode) => shutdown(proc, mode),
    async resume() {
      proc = await startAndWait();
    },
    async stop() {
      await shutdown(proc);
      remove();
    },
  };
}

/** Waits until the server answers a query, or it exits, or `readyTimeoutMs` passes. */
async function waitUntilReady(postgres: typeof Postgres, url: string, proc: ServerProcess, o: PrivatePostgresOptions): Promise<void> {
  const deadline = Date.now() + (o.readyTimeoutMs ?? 20_000);
  let last: unknown;
  while (Date.now() < deadline) {
    if (proc.ended()) throw new Error(`postgres exited with code ${await proc.exited} before it was ready`);
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`SELECT 1`;
      return;
    } catch (err) {
      last = err;
    } finally {
      await sql.end({ timeout: 1 });
    }
    await sleep(wallClock, 100);
  }
  throw new Error(`postgres on port ${o.port} did not answer within ${o.readyTimeoutMs ?? 20_000} ms: ${(last as Error | undefined)?.message ?? "no answer"}`);
}

/** Stops the server (see PrivatePostgres.halt for the modes); SIGKILL when it has not ended after 10 s. */
async function shutdown(proc: ServerProcess, mode: HaltMode = "fast"): Promise<void> {
  if (proc.ended()) return;
  if (mode === "kill") {
    // The backends outlive a SIGKILLed postmaster and would keep its port and shared memory: they go too.
    const backends = childrenOf(proc.pid);
    kill(proc.pid, "SIGKILL");
    for (const pid of backends) kill(pid, "SIGKILL");
  } else {
    // SIGINT is PostgreSQL's "fast" shutdown (clients are disconnected, not waited for); SIGQUIT its "immediate".
    kill(proc.pid, mode === "fast" ? "SIGINT" : "SIGQUIT");
  }
  const timer = wallClock.setTimeout(() => kill(proc.pid, "SIGKILL"), 10_000);
  await proc.exited;
  wallClock.clearTimeout(timer);
}

/** The processes whose parent is `pid` (Linux /proc; none elsewhere). */
function childrenOf(pid: number): number[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Field 4 of /proc/<pid>/stat, after the command name in parentheses (which may hold spaces).
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
