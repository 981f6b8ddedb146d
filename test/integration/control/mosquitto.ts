// Mosquitto for the control tests, on a port the test chooses (so it can be stopped and started again on the
// same port to exercise reconnects), optionally with TLS and a password file.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { startProcess, type RunningProcess } from "../../helpers/child-process";
import { findExecutable, requireTool } from "../../helpers/executables";
import { createTempDir, type TempDir } from "../../helpers/temp-dir";
import { waitForTcp } from "../../helpers/wait-for";

export interface BrokerOptions {
  port: number;
  tls?: { ca: string; cert: string; key: string };
  users?: Record<string, string>;
}

export interface Broker {
  port: number;
  dir: TempDir;
  proc: RunningProcess;
  stop(): Promise<void>;
}

export async function startBroker(opts: BrokerOptions): Promise<Broker> {
  const bin = requireTool("mosquitto");
  const dir = createTempDir("steward-mosq-ctl-");
  const lines = [`listener ${opts.port} 127.0.0.1`, "persistence false", "log_dest stdout"];
  // As root, mosquitto would switch to the mosquitto user and lose access to the private temp dir.
  if (process.getuid?.() === 0) lines.push("user root");
  if (opts.users) {
    const passwd = findExecutable(["mosquitto_passwd"]);
    if (!passwd) throw new Error("mosquitto_passwd not found (Debian package mosquitto)");
    const file = join(dir.path, "passwd");
    writeFileSync(file, "");
    for (const [user, pass] of Object.entries(opts.users)) execFileSync(passwd, ["-b", file, user, pass]);
    lines.push("allow_anonymous false", `password_file ${file}`);
  } else {
    lines.push("allow_anonymous true");
  }
  if (opts.tls) {
    for (const [name, pem] of Object.entries(opts.tls)) writeFileSync(join(dir.path, `${name}.pem`), pem);
    lines.push(`cafile ${join(dir.path, "ca.pem")}`, `certfile ${join(dir.path, "cert.pem")}`, `keyfile ${join(dir.path, "key.pem")}`);
  }
  const conf = join(dir.path, "mosquitto.conf");
  writeFileSync(conf, `${lines.join("\n")}\n`);
  const proc = startProcess(bin, ["-c", conf], { cwd: dir.path });
  try {
    await Promise.race([
      waitForTcp("127.0.0.1", opts.port, { timeoutMs: 15_000 }),
      proc.exited.then((code) => {
        throw new Error(`mosquitto exited with ${code}: ${proc.output()}`);
      }),
    ]);
  } catch (err) {
    await proc.stop("SIGKILL", 1000);
    dir.remove();
    throw err;
  }
  return {
    port: opts.port,
    dir,
    proc,
    async stop() {
      await proc.stop("SIGTERM", 5000);
      dir.remove();
    },
  };
}
