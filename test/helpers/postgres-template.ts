// One initdb for all the test files that start a PostgreSQL (test/helpers/services.ts): a data folder made by the
// same code as every server's (initDataFolder in src/show/demo/private-postgres.ts) and kept in the system's temp
// folder, one per PostgreSQL version, which each server copies. initdb costs ~1.4 s of CPU, a copy of its ~40 MB
// ~0.2 s, and about fifty servers start in a run of the suite. The key is initDataFolder's own source (and the
// programs' version), not its file's: a change elsewhere in that file makes no new template. A template of another
// key (another clone or branch on this machine may use it at the same moment) is removed only once nobody has used
// it for two hours.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initDataFolder, type PostgresPrograms } from "../../src/show/demo/private-postgres";
import { buildOncePerMachine } from "./machine-cache";

const TEMPLATE_PREFIX = "steward-pg-template-";
/** initdb takes a second or two here, more beside busy processes; a lock older than this was left by a killed run. */
const LOCK_STALE_MS = 120_000;
/** A template nobody copied for this long belongs to code that is gone. */
const UNUSED_FOR_MS = 2 * 3_600_000;

/** The data folder to copy and its user's password, made first if no test process has yet. */
export async function postgresTemplate(programs: PostgresPrograms): Promise<{ dataDir: string; password: string }> {
  const version = Bun.spawnSync([programs.initdb, "--version"], { stdout: "pipe", stderr: "ignore", timeout: 30_000 }).stdout.toString().trim();
  // initDataFolder's own source is part of the key: a change to how a server's folder is made makes a new template.
  const recipe = initDataFolder.toString();
  const root = join(tmpdir(), `${TEMPLATE_PREFIX}${Bun.hash(`${programs.initdb}\n${version}\n${recipe}`).toString(36)}`);
  const ready = join(root, "password");
  await buildOncePerMachine({
    dir: root,
    ready,
    staleMs: LOCK_STALE_MS,
    what: `the PostgreSQL template lock ${root}.lock`,
    intervalMs: 100,
    build(staging) {
      mkdirSync(staging, { recursive: true });
      const password = `pw-${crypto.randomUUID()}`;
      initDataFolder(programs, staging, password);
      writeFileSync(join(staging, "password"), password);
    },
    afterBuild() {
      // Templates of another PostgreSQL or recipe nobody has copied for a while.
      for (const name of readdirSync(tmpdir())) {
        const path = join(tmpdir(), name);
        if (
          !name.startsWith(TEMPLATE_PREFIX) ||
          name.startsWith(`${TEMPLATE_PREFIX}staging-`) ||
          name.endsWith(".building") ||
          path === root ||
          name.endsWith(".lock")
        )
          continue;
        try {
          if (Date.now() - statSync(path).mtimeMs > UNUSED_FOR_MS) rmSync(path, { recursive: true, force: true });
        } catch {
          // removed by another test process meanwhile
        }
      }
    },
  });
  const now = new Date();
  utimesSync(root, now, now); // in use: see UNUSED_FOR_MS
  return { dataDir: join(root, "data"), password: readFileSync(ready, "utf8") };
}
