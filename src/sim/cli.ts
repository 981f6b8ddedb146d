// `steward sim`: runs the Qlik Sense simulator until SIGINT/SIGTERM and prints where everything listens.
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { DEFAULT_PORTS, startSimulator, type SimulatorOptions } from "./index";
import { parseUdpTarget, type UdpTarget } from "./settings";
import { nodeTargetView } from "./udp/node-targets";

export const SIM_USAGE = `Usage: steward sim [options]

Runs a simulated Qlik Sense Enterprise site: QRS (HTTPS, client certificate), Engine (WSS),
the Scheduler's UDP task events, and a control API for tests and rehearsals.

Options:
  --site FILE               site fixture YAML (default: the built-in demo site)
  --certs DIR               certificate directory, created when missing (default: ./sim-certs)
  --udp-target HOST:PORT    send Scheduler UDP events here (repeatable; e.g. 127.0.0.1:9998)
  --node-udp-target NODE=HOST:PORT
                            runs on NODE (name or host name) send here instead: that node's own
                            appender, for one Steward per node (repeatable)
  --generation G            appender XML generation: current | legacy | both (default: current)
  --qrs-port N              QRS port (default ${DEFAULT_PORTS.qrs}; 0 = any free port)
  --engine-port N           Engine port (default ${DEFAULT_PORTS.engine}; 0 = any free port)
  --control-port N          control API port on 127.0.0.1 (default ${DEFAULT_PORTS.control}; 0 = any free port)
  --version-port N          /v1/systeminfo port (default ${DEFAULT_PORTS.version}; 0 = any free port)
  --cloud-port N            also a Qlik Cloud tenant (HTTPS) on this port; its API key goes to
                            cloud-api-key.txt in the certificate directory (0 = any free port)
  --host ADDR               address QRS and Engine bind to (default 127.0.0.1)
  --time-scale X            multiply every task/reload duration by X (e.g. 0.1)
  --no-schedules            do not fire the fixture's cron schedules
  --help                    show this help
`;

export interface SimIo {
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Stops the simulator when aborted (tests); SIGINT/SIGTERM always do. */
  signal?: AbortSignal;
}

function port(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new UsageError(`${name} must be a port number 0-65535, got '${v}'`);
  return n;
}

class UsageError extends Error {}

function buildOptions(argv: string[]): SimulatorOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      site: { type: "string" },
      certs: { type: "string" },
      "udp-target": { type: "string", multiple: true },
      "node-udp-target": { type: "string", multiple: true },
      generation: { type: "string" },
      "qrs-port": { type: "string" },
      "engine-port": { type: "string" },
      "control-port": { type: "string" },
      "version-port": { type: "string" },
      "cloud-port": { type: "string" },
      host: { type: "string" },
      "time-scale": { type: "string" },
      "no-schedules": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const targets: UdpTarget[] = (values["udp-target"] ?? []).map((t) => {
    const parsed = parseUdpTarget(t);
    if (!parsed) throw new UsageError(`--udp-target must be host:port, got '${t}'`);
    return parsed;
  });
  const nodeTargets: Record<string, UdpTarget[]> = {};
  for (const text of values["node-udp-target"] ?? []) {
    const eq = text.indexOf("=");
    const parsed = eq > 0 ? parseUdpTarget(text.slice(eq + 1)) : undefined;
    if (!parsed) throw new UsageError(`--node-udp-target must be NODE=HOST:PORT, got '${text}'`);
    (nodeTargets[text.slice(0, eq)] ??= []).push(parsed);
  }
  const generation = values.generation ?? "current";
  if (generation !== "current" && generation !== "legacy" && generation !== "both") {
    throw new UsageError(`--generation must be current, legacy or both, got '${generation}'`);
  }
  let timeScale = 1;
  if (values["time-scale"] !== undefined) {
    timeScale = Number(values["time-scale"]);
    if (!(timeScale > 0)) throw new UsageError(`--time-scale must be a positive number, got '${values["time-scale"]}'`);
  }
  const opts: SimulatorOptions = {
    certDir: resolve(values.certs ?? "sim-certs"),
    settings: { udp: { targets, nodeTargets, generation }, timing: { timeScale } },
    schedules: !values["no-schedules"],
  };
  if (values.site !== undefined) opts.sitePath = resolve(values.site);
  if (values.host !== undefined) opts.hostname = values.host;
  const q = port(values["qrs-port"], "--qrs-port");
  const e = port(values["engine-port"], "--engine-port");
  const c = port(values["control-port"], "--control-port");
  opts.versionPort = port(values["version-port"], "--version-port") ?? DEFAULT_PORTS.version;
  const cloudPort = port(values["cloud-port"], "--cloud-port");
  if (cloudPort !== undefined) opts.cloudPort = cloudPort;
  if (q !== undefined) opts.qrsPort = q;
  if (e !== undefined) opts.enginePort = e;
  if (c !== undefined) opts.controlPort = c;
  return opts;
}

export async function simCommand(argv: string[], io: SimIo = {}): Promise<number> {
  const out = io.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = io.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  let opts: SimulatorOptions | "help";
  try {
    opts = buildOptions(argv);
  } catch (e) {
    err(`steward sim: ${(e as Error).message}`);
    err(SIM_USAGE);
    return 2;
  }
  if (opts === "help") {
    out(SIM_USAGE);
    return 0;
  }
  const stamp = () => new Date().toISOString().slice(11, 23);
  opts.log = {
    info: (msg, f) => out(`${stamp()} ${msg}${f ? ` ${JSON.stringify(f)}` : ""}`),
    warn: (msg, f) => err(`${stamp()} WARN ${msg}${f ? ` ${JSON.stringify(f)}` : ""}`),
  };

  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator(opts);
  } catch (e) {
    err(`steward sim: ${(e as Error).message}`);
    return 1;
  }
  const s = sim.site;
  const udp = sim.settings.udp;
  out(`Steward Qlik Sense simulator: ${s.info.name} (Qlik Sense ${s.info.releaseLabel}, ${s.info.productVersion})`);
  out(`  QRS       ${sim.urls.qrs}/qrs/   (client certificate, X-Qlik-Xrfkey and X-Qlik-User required)`);
  out(`  Engine    ${sim.urls.engine}/app/   (client certificate and X-Qlik-User required)`);
  out(`  Control   ${sim.urls.control}/   (plain HTTP, loopback only)`);
  if (sim.urls.version) out(`  Version   ${sim.urls.version}/v1/systeminfo   (client certificate required)`);
  if (sim.urls.cloud) out(`  Cloud     ${sim.urls.cloud}/api/v1/reloads   (Qlik Cloud tenant; API key in ${join(sim.certDir, "cloud-api-key.txt")})`);
  out(`  Certs     ${sim.certDir}   (root.pem, client.pem, client_key.pem)`);
  out(
    `  UDP       ${udp.targets.length === 0 ? "no targets (set with --udp-target or PUT /udp/targets)" : udp.targets.map((t) => `${t.host}:${t.port}`).join(", ")}   (generation ${udp.generation})`,
  );
  for (const n of nodeTargetView(s.nodes, udp).filter((v) => v.own)) {
    out(`  UDP       ${n.node} (${n.hostName}): ${n.targets.length === 0 ? "no targets" : n.targets.join(", ")}   (that node's own appender)`);
  }
  out(`  Site      ${s.nodes.length} nodes, ${s.apps.length} apps, ${s.tasks.length} tasks, ${s.users.length} users`);
  out("Press Ctrl+C to stop.");

  await new Promise<void>((done) => {
    const finish = () => {
      process.off("SIGINT", finish);
      process.off("SIGTERM", finish);
      io.signal?.removeEventListener("abort", finish);
      done();
    };
    process.on("SIGINT", finish);
    process.on("SIGTERM", finish);
    if (io.signal?.aborted) finish();
    else io.signal?.addEventListener("abort", finish);
  });
  await sim.stop();
  out("Simulator stopped.");
  return 0;
}
