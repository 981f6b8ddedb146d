// `steward checks run --app APP`: evaluates the data checks of one app now, through the Engine node the config
// names, and prints each value and verdict. Nothing is stored and no alert is sent, so it can run next to a
// running Steward; previous values are read from the store when it can be opened.
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { resolveConfig } from "./config-resolve";
import { UsageError } from "./usage";
import type { LoadedConfig } from "./steward-config";
import type { DataCheckConfig } from "../../watch/checks/config";
import { systemClock } from "../../platform/core/clock";
import { AppError, describeError } from "../../platform/core/errors";
import { showCheckValue } from "../../hear/events/data-check-event";
import { createSilentLogger } from "../../platform/core/logger";
import { createEngineClient } from "../../platform/qlik/engine-client";
import { createQrsClient, type QrsClient } from "../../platform/qlik/qrs-client";
import { eqString, isGuid } from "../../platform/qlik/qrs-filter";
import { createClusterStore } from "../../platform/store/cluster-store";
import { openStore } from "../../platform/store/database";
import { applicableChecks } from "../../watch/checks/applicability";
import { checksMigrations, createCheckStore } from "../../watch/checks/check-store";
import { evaluateInApp } from "../../watch/checks/evaluator";
import { expressionsFor, valuesFor } from "../../watch/checks/outcomes";
import { lookUpApp } from "../../watch/checks/reload-input";

export const CHECKS_HELP = `Usage: steward checks run --app APP [--check NAME …] [--config FILE] [--json]

Evaluates the data checks of one app now, in one Engine session on the node dataChecks.engine names (default
qlik.host), and prints each value, the expectation and whether it holds. APP is an app id or an app name.
Without --check: the checks that apply to the app (by id or name, tag, stream, custom property, or the
StewardChecks custom property); with --check: those checks, attached to the app or not (to try one out).
Checks attached only to reload tasks apply after those tasks' reloads, not here.

Nothing is stored and no alert is sent, so it is safe next to a running Steward. Expectations that use
previous compare with the last value Steward stored, when the store can be read (a stopped Steward's data
folder, or store.postgres); otherwise the value becomes a baseline, as on a first reload.

Exit codes: 0 every check passed, 1 a check failed or could not be evaluated (or the Engine could not be
reached), 2 usage or config error.`;

export async function checksCommand(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      app: { type: "string" },
      check: { type: "string", multiple: true },
      config: { type: "string", short: "c" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length === 0) {
    out(CHECKS_HELP);
    return values.help ? 0 : 2;
  }
  if (positionals[0] !== "run" || positionals.length > 1) throw new UsageError(`checks: expected 'run', got '${positionals.join(" ")}'`);
  if (!values.app) throw new UsageError("checks run: --app APP is required (an app id or name)");
  const loaded = resolveConfig(values.config ? { config: values.config } : {});
  const cfg = loaded.config.dataChecks;
  const qlik = loaded.config.qlik;
  if (!cfg || !qlik) throw new UsageError(`checks run: ${loaded.file ?? "the config"} has no dataChecks section`);
  const log = createSilentLogger();
  const qrs = createQrsClient(qlik, { log, clock: systemClock, baseDir: loaded.baseDir });
  try {
    const app = await lookUpApp(qrs, await resolveAppId(qrs, values.app));
    let checks: DataCheckConfig[];
    if (values.check?.length) {
      const unknown = values.check.filter((n) => !cfg.checks.some((c) => c.name.toLowerCase() === n.toLowerCase()));
      if (unknown.length) throw new UsageError(`checks run: no check named ${unknown.join(", ")} (checks: ${cfg.checks.map((c) => c.name).join(", ")})`);
      checks = cfg.checks.filter((c) => values.check!.some((n) => n.toLowerCase() === c.name.toLowerCase()));
    } else checks = applicableChecks(cfg, { app });
    if (checks.length === 0) {
      out(`No data check applies to ${app.name} (${app.id}). Give --check NAME to evaluate one anyway.`);
      return 0;
    }
    const host = cfg.engine.host ?? qlik.host;
    const engine = createEngineClient(
      { ...qlik, host, enginePort: cfg.engine.port ?? qlik.enginePort },
      { baseDir: loaded.baseDir, log, callTimeoutMs: cfg.timeout },
    );
    const history = await openHistory(loaded);
    const previous = new Map<string, number | null>();
    for (const c of checks) previous.set(c.name, history.read ? await history.read(app.id, c.name, c.expression) : null);
    await history.close();
    const started = Date.now();
    const evaluation = await evaluateInApp(engine, app.id, expressionsFor(checks), cfg.timeout);
    const ms = Date.now() - started;
    const results = valuesFor(checks, evaluation, previous, { runId: "cli", appId: app.id, at: Date.now() });
    const ok = evaluation.ok && results.every((v) => v.status === "passed");
    if (values.json) {
      out(
        JSON.stringify(
          {
            app: { id: app.id, name: app.name },
            engine: host,
            ms,
            error: evaluation.ok ? null : evaluation.error,
            previousValues: history.note ?? "read from the store",
            checks: results.map((v) => ({
              name: v.check,
              severity: checks.find((c) => c.name === v.check)?.severity,
              expression: v.expression,
              status: v.status,
              value: v.value,
              expect: v.expect,
              resolved: v.resolved,
              previous: v.previous,
              message: v.message,
            })),
          },
          null,
          2,
        ),
      );
      return ok ? 0 : 1;
    }
    out(`${app.name} (${app.id}) on the Engine at ${host}: ${checks.length} check${checks.length > 1 ? "s" : ""}, ${ms} ms`);
    if (history.note) out(`note: ${history.note}`);
    if (!evaluation.ok) out(`error: ${evaluation.error}`);
    out("");
    const width = Math.max(...results.map((v) => v.check.length));
    for (const v of results) {
      const c = checks.find((x) => x.name === v.check)!;
      const mark = v.status === "passed" ? "ok    " : v.status === "failed" ? "FAILED" : "ERROR ";
      const expected = v.resolved && v.resolved !== v.expect ? `${v.expect} (${v.resolved})` : v.expect;
      out(
        `${mark} ${v.check.padEnd(width)}  ${c.expression} = ${v.status === "error" && !v.value ? "?" : showCheckValue(v.value)}   expected ${expected}   previous ${v.previous ?? "none"}   [${c.severity}]`,
      );
      if (v.message) out(`       ${" ".repeat(width)}  ${v.message}`);
    }
    return ok ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    console.error(`checks run: ${describeError(err)}`);
    return 1;
  } finally {
    qrs.close();
  }
}

/** An app id as given, or the one app of that name (case-insensitively); several or none is an error. */
async function resolveAppId(qrs: QrsClient, app: string): Promise<string> {
  if (isGuid(app)) return app;
  const found = await qrs.listAppsFull(eqString("name", app));
  if (found.length === 1) return found[0]!.id;
  if (found.length === 0) throw new AppError("NOT_FOUND", `no app named "${app}" in QRS`);
  throw new AppError(
    "CONFLICT",
    `${found.length} apps are named "${app}" (${found.map((a) => `${a.id}${a.stream?.name ? ` in ${a.stream.name}` : ""}`).join(", ")}): give the id`,
  );
}

interface History {
  read?: (appId: string, check: string, expression: string) => Promise<number | null>;
  /** Why previous values are not read. */
  note?: string;
  close(): Promise<void>;
}

/** The store's values, for `previous`: a stopped Steward's data folder, or the cluster's PostgreSQL. */
async function openHistory(loaded: LoadedConfig): Promise<History> {
  try {
    if (loaded.config.store.postgres) {
      const pg = createClusterStore(loaded.config.store.postgres, loaded.baseDir, [checksMigrations], `${hostname()} (checks run)`);
      await pg.component.start();
      const s = createCheckStore(pg.db);
      return { read: (a, c, e) => s.previousNumber(a, c, e, "cli"), close: async () => void (await pg.component.stop(5_000)) };
    }
    const local = openStore(loaded.config.dataDir, [checksMigrations]);
    const s = createCheckStore(local.sql);
    return { read: (a, c, e) => s.previousNumber(a, c, e, "cli"), close: async () => local.close() };
  } catch (err) {
    const why = err instanceof AppError && err.code === "STORE_LOCKED" ? "a running Steward holds the store" : describeError(err);
    return { note: `previous values are not read (${why}): expectations with previous treat this value as a baseline`, close: async () => {} };
  }
}
