// Reads the QMC certificate export for QRS (and the Engine): client.pem, client_key.pem and root.pem from certDir,
// each overridable, relative paths resolved against the config file's folder.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { AppError } from "../core/errors";
import type { QlikConfig } from "./config";

export interface QlikCertFiles {
  cert: string;
  key: string;
  ca: string;
}

export interface QlikCertMaterial {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  passphrase?: string;
  files: QlikCertFiles;
}

export function qlikCertFiles(cfg: QlikConfig, baseDir: string): QlikCertFiles {
  const dir = isAbsolute(cfg.certDir) ? cfg.certDir : resolve(baseDir, cfg.certDir);
  const pick = (override: string | undefined, name: string) => (override ? resolve(baseDir, override) : resolve(dir, name));
  return { cert: pick(cfg.clientCert, "client.pem"), key: pick(cfg.clientKey, "client_key.pem"), ca: pick(cfg.rootCa, "root.pem") };
}

/**
 * The Qlik Sense simulator's certificate folder (the demo's `data/demo/sim-certs`, `steward sim`'s `./sim-certs`): its
 * name, or the marker the simulator leaves in it. Its files come from the simulator's first start, not from a QMC.
 */
function isSimulatorCertDir(dir: string): boolean {
  return basename(dir) === "sim-certs" || existsSync(resolve(dir, ".steward-sim-certs"));
}

const QMC_EXPORT =
  "Export the certificates from the QMC (Certificates → Export, PEM format, no password) into qlik.certDir, " +
  "or point qlik.clientCert / qlik.clientKey / qlik.rootCa at them";
const SIMULATOR_CERTS =
  "This is the Qlik Sense simulator's certificate folder: the simulator makes these files at its first start. " +
  "Start the demo first (`npm run demo`, or `npx bun src/main.ts demo`, from the clone's root), then check again while it runs";

function readCertFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new AppError(
      "CONFIG_INVALID",
      `cannot read the Qlik ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. ` +
        (isSimulatorCertDir(dirname(path)) ? SIMULATOR_CERTS : QMC_EXPORT),
      { cause: err, details: { file: path } },
    );
  }
}

/** Every unreadable file of the three, each with the key that names it (for `config check`). */
export function qlikCertProblems(cfg: QlikConfig, baseDir: string): Array<{ key: "clientCert" | "clientKey" | "rootCa" | "certDir"; message: string }> {
  const files = qlikCertFiles(cfg, baseDir);
  const out: Array<{ key: "clientCert" | "clientKey" | "rootCa" | "certDir"; message: string }> = [];
  const entries = [
    ["clientCert", files.cert, "client certificate"],
    ["clientKey", files.key, "client key"],
    ["rootCa", files.ca, "root CA certificate"],
  ] as const;
  for (const [key, path, what] of entries) {
    try {
      readCertFile(path, what);
    } catch (err) {
      out.push({ key: cfg[key] ? key : "certDir", message: (err as Error).message });
    }
  }
  return out;
}

/** Reads the three files; a missing or unreadable one is a CONFIG_INVALID error that says how to get it. */
export function loadQlikCerts(cfg: QlikConfig, baseDir: string): QlikCertMaterial {
  const files = qlikCertFiles(cfg, baseDir);
  const read = readCertFile;
  return {
    cert: read(files.cert, "client certificate"),
    key: read(files.key, "client key"),
    ca: read(files.ca, "root CA certificate"),
    passphrase: cfg.clientKeyPassphrase,
    files,
  };
}
