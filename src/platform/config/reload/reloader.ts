// Config reload (SIGHUP or POST /v4/admin/reload): the file is read and validated again; an invalid file is
// rejected and the running config stays. Components that can apply new settings in place register here;
// changed sections nobody applies are reported as "restart required". Nothing is torn down, so the UDP socket
// and the HTTP listener keep running and no datagram or queued delivery is lost.
import type { Logger } from "pino";
import type { AuditActor, AuditLog } from "../../audit/audit-log";
import { AppError, describeError } from "../../core/errors";
import type { ConfigReader, ConfigShape, LoadedConfig } from "../load";

export interface ReloadPlan {
  /** Applies the prepared change; must not fail for reasons prepare() could have found. */
  apply(): void | Promise<void>;
  /** Parts of the change this component cannot apply live (e.g. "security.tls"). */
  restartRequired?: string[];
}

/** `C`: the part of the config the component reads (its sections); the reloader holds the whole. */
export interface Reconfigurable<C extends ConfigShape = ConfigShape> {
  name: string;
  /** Top-level config keys this component applies live. */
  sections: string[];
  /** Narrows `sections` further: false when the change does not concern this component after all. */
  relevant?(next: LoadedConfig<C>, previous: LoadedConfig<C>): boolean;
  /** Validates the new config (throw to reject the whole reload) and returns how to apply it. */
  prepare(next: LoadedConfig<C>, previous: LoadedConfig<C>): ReloadPlan | Promise<ReloadPlan>;
  /**
   * Parts of this component's sections that differ between the file and what the process started with and
   * cannot be applied live (e.g. "security.tls"). Asked on every reload, so a pending restart stays reported.
   */
  pendingRestart?(next: LoadedConfig<C>, started: LoadedConfig<C>): string[];
}

export interface ReloadReport {
  ok: true;
  file: string;
  trigger: string;
  /** Top-level keys whose values changed. */
  changed: string[];
  /** Components that applied the new settings. */
  applied: string[];
  /** Changed settings that take effect only after a restart. */
  restartRequired: string[];
  durationMs: number;
}

export interface ConfigReloader<C extends ConfigShape = ConfigShape> {
  register(component: Reconfigurable<C>): void;
  /** The config in force (the last one applied). */
  current(): LoadedConfig<C>;
  /** Reloads the file; throws AppError CONFIG_INVALID (old config kept) or CONFLICT (no file). */
  reload(trigger: string, actor: AuditActor): Promise<ReloadReport>;
}

export function changedSections(a: LoadedConfig, b: LoadedConfig): string[] {
  const keys = new Set([...Object.keys(a.config), ...Object.keys(b.config)]);
  const prev: Record<string, unknown> = { ...a.config };
  const next: Record<string, unknown> = { ...b.config };
  return [...keys].filter((k) => JSON.stringify(prev[k]) !== JSON.stringify(next[k])).sort();
}

export function createConfigReloader<C extends ConfigShape>(
  initial: LoadedConfig<C>,
  deps: { log: Logger; audit: AuditLog; reader: ConfigReader<C> },
): ConfigReloader<C> {
  const log = deps.log.child({ module: "reload" });
  const components: Reconfigurable<C>[] = [];
  // What the process runs with for the sections nothing applies live: restart-required compares with this,
  // not with the last file read, or a second reload would hide a restart that is still pending.
  const startedWith = initial;
  let current = initial;
  let queue: Promise<unknown> = Promise.resolve();

  async function run(trigger: string, actor: AuditActor): Promise<ReloadReport> {
    const started = performance.now();
    const file = current.file;
    if (!file) throw new AppError("CONFLICT", "Steward runs on its built-in defaults (no --config file), so there is nothing to reload");
    let next: LoadedConfig<C>;
    try {
      // The same secret registry: values of new ${env:…}/${file:…} placeholders are redacted in logs too.
      next = deps.reader.loadConfigFile(file, { secrets: current.secrets });
    } catch (err) {
      const details = err instanceof AppError ? err.details : undefined;
      deps.audit.record({ actor, action: "config.reload", target: file, result: "failed", details: { trigger, error: describeError(err) } });
      log.error({ trigger, file, err: describeError(err) }, "config reload rejected; the running config stays in force");
      throw new AppError("CONFIG_INVALID", `config reload rejected, the running config stays in force:\n${describeError(err)}`, { cause: err, details });
    }
    const changed = changedSections(current, next);
    const plans: Array<{ name: string; plan: ReloadPlan }> = [];
    try {
      for (const c of components) {
        if (!c.sections.some((s) => changed.includes(s))) continue;
        if (c.relevant && !c.relevant(next, current)) continue;
        plans.push({ name: c.name, plan: await c.prepare(next, current) });
      }
    } catch (err) {
      deps.audit.record({ actor, action: "config.reload", target: file, result: "failed", details: { trigger, changed, error: describeError(err) } });
      log.error({ trigger, err: describeError(err) }, "config reload rejected by a component; the running config stays in force");
      throw new AppError("CONFIG_INVALID", `config reload rejected, the running config stays in force: ${describeError(err)}`, { cause: err });
    }
    for (const { name, plan } of plans) {
      try {
        await plan.apply();
      } catch (err) {
        // prepare() accepted it, so this is a fault, not bad input; the others still apply.
        log.error({ component: name, err: describeError(err) }, "applying the reloaded config failed for a component");
      }
    }
    const live = new Set(components.flatMap((c) => c.sections));
    const pending = new Set([
      ...changedSections(startedWith, next).filter((s) => !live.has(s)),
      ...plans.flatMap((p) => p.plan.restartRequired ?? []),
      ...components.flatMap((c) => c.pendingRestart?.(next, startedWith) ?? []),
    ]);
    const restartRequired = [...pending].sort();
    current = next;
    const report: ReloadReport = {
      ok: true,
      file,
      trigger,
      changed,
      applied: plans.map((p) => p.name),
      restartRequired,
      durationMs: Math.round(performance.now() - started),
    };
    deps.audit.record({ actor, action: "config.reload", target: file, result: "ok", details: { trigger, changed, applied: report.applied, restartRequired } });
    if (restartRequired.length) log.warn({ trigger, restartRequired }, "config reloaded; some changed settings take effect only after a restart");
    else log.info({ trigger, changed, applied: report.applied }, "config reloaded");
    return report;
  }

  return {
    register: (c) => void components.push(c),
    current: () => current,
    reload(trigger, actor) {
      // One reload at a time, in order.
      const result = queue.then(() => run(trigger, actor));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
