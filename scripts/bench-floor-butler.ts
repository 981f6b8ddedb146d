// Butler 16.0.4 as a target of `scripts/bench-floor.ts`, run as its own users run it: `node src/butler.js` from a
// directory where it is already installed (BUTLER_DIR; this script neither fetches nor builds it), on a config made
// at run time from that directory's own production template with the REST API (butlerping on), the UDP server and
// nothing else, all on loopback, and `--no-qs-connection` (no Qlik Sense here). Its REST rate limit (100 calls a minute
// per address) stays: 16.0.4's `--api-rate-limit` takes no value, so it cannot be set to 0, and a ping under wrk is
// mostly answered 429 (bench-floor.ts says how many). Without a Qlik connection Butler
// handles a failure datagram by logging "Task ID … does not exist in Sense": one line per datagram processed.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { freePort, freeUdpPort, startTarget, waitFor200, type BenchProcess } from "./bench-proc";

export interface ButlerInstall {
  dir: string;
  node: string;
  version: string;
}

/** Where Butler is installed (BUTLER_DIR, BUTLER_NODE), or why it cannot run here. */
export function findButler(env: Record<string, string | undefined> = process.env): ButlerInstall | { missing: string } {
  const dir = env.BUTLER_DIR;
  if (!dir) return { missing: "BUTLER_DIR is not set (a directory holding Butler 16.0.4 with its node_modules installed)" };
  const pkg = join(dir, "package.json");
  if (!existsSync(join(dir, "src/butler.js")) || !existsSync(pkg)) return { missing: `${dir} holds no Butler (src/butler.js, package.json)` };
  if (!existsSync(join(dir, "node_modules"))) return { missing: `${dir} has no node_modules: install Butler's dependencies there first` };
  const node = env.BUTLER_NODE ?? "node";
  const nodeVersion = Bun.spawnSync([node, "--version"]).stdout.toString().trim();
  if (!nodeVersion) return { missing: `${node} (BUTLER_NODE) does not run` };
  const version = (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
  return { dir, node, version: `Butler ${version} on Node ${nodeVersion}` };
}

/** Butler's own template with the REST API and the UDP server on loopback, everything that would reach out off. */
function butlerConfig(dir: string, restPort: number, backgroundPort: number, udpPort: number): string {
  const doc = parseDocument(readFileSync(join(dir, "src/config/production_template.yaml"), "utf8"));
  const set = (path: string, v: unknown) => doc.setIn(path.split("."), v);
  set("Butler.anonTelemetry", false);
  set("Butler.configVisualisation.enable", false);
  set("Butler.systemInfo.enable", false);
  set("Butler.restServerConfig.enable", true);
  set("Butler.restServerConfig.serverHost", "127.0.0.1");
  set("Butler.restServerConfig.serverPort", restPort);
  set("Butler.restServerConfig.backgroundServerPort", backgroundPort);
  set("Butler.restServerEndpointsEnable.butlerping", true);
  set("Butler.udpServerConfig.enable", true);
  set("Butler.udpServerConfig.serverHost", "127.0.0.1");
  set("Butler.udpServerConfig.portTaskFailure", udpPort);
  return doc.toString();
}

export interface ButlerTarget {
  proc: BenchProcess;
  url: string;
  udpPort: number;
  /** Failure datagrams Butler has processed so far (its log lines for them). */
  processed(): number;
}

export async function startButler(install: ButlerInstall, workDir: string): Promise<ButlerTarget> {
  const [restPort, backgroundPort, udpPort] = [await freePort(), await freePort(), await freeUdpPort()];
  const config = join(workDir, "butler.yaml");
  writeFileSync(config, butlerConfig(install.dir, restPort, backgroundPort, udpPort));
  const logFile = join(workDir, "butler.log");
  writeFileSync(logFile, "");
  const proc = startTarget([install.node, "src/butler.js", "-c", config, "--no-qs-connection"], {
    cwd: install.dir,
    logFile,
    stdoutToLog: true,
  });
  const url = `http://127.0.0.1:${restPort}`;
  try {
    await waitFor200(`${url}/v4/butlerping`, performance.now(), 60_000);
  } catch (err) {
    await proc.stop();
    throw new Error(`Butler did not start (see ${logFile}): ${(err as Error).message}`);
  }
  const processed = () => readFileSync(logFile, "utf8").split("does not exist in Sense").length - 1;
  return { proc, url, udpPort, processed };
}
