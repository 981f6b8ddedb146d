// `steward config check|schema`.
import { mkdtempSync, readdirSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../app";
import type { LoadedConfig } from "./steward-config";
import { createSilentLogger } from "../../platform/core/logger";
import { configJsonSchema } from "./steward-config";
import { UsageError } from "./usage";
import { actionLinksNotice } from "../../tell/ack-links/notice";
import { type CheckOptions, formatProblems, keylessAccessNote } from "./config-check";
import { inboundWebhookWarnings } from "../../tell/notify/inbound-reach";
import { twoPersonKeyWarnings } from "../../start/remediation/approval-keys-check";
import { spoolFolderWarnings } from "../../tell/on-call/spool-check";
import { loadCheckedConfig } from "./config-problems";
import { hostFlavour } from "../../keep/files/path-rules";
import { ssoSetUpNote } from "../../platform/security/sso-config";
import { AppError } from "../../platform/core/errors";

export function configCheckCommand(file: string | undefined, out: (s: string) => void): number {
  if (!file) throw new UsageError("config check: missing FILE");
  const loaded = checkConfigFile(file);
  out(`${file}: valid (data directory ${loaded.config.dataDir})`);
  // Set-ups `run` accepts but that may not work as meant: the key's line, what is wrong and the fix.
  for (const line of formatProblems(inboundWebhookWarnings(loaded.config), loaded.source, file)) out(line);
  for (const line of formatProblems(twoPersonKeyWarnings(loaded.config), loaded.source, file)) out(line);
  for (const line of formatProblems(spoolFolderWarnings(loaded.config), loaded.source, file)) out(line);
  const linksNote = actionLinksNotice(loaded.config);
  if (linksNote) out(linksNote);
  const access = keylessAccessNote(loaded.config);
  if (access) out(access);
  const sso = ssoSetUpNote(loaded.config);
  if (sso) out(sso);
  return 0;
}

/**
 * What `config check FILE` checks; throws CONFIG_INVALID listing every problem. `flavour` checks the file-operation
 * folders as on another kind of host (the docs tests check Windows examples on Linux); the folders are then left
 * out of the trial build, which would apply this host's rules to them.
 */
export function checkConfigFile(file: string, options: CheckOptions = {}): LoadedConfig {
  // Everything `run` refuses at start-up (the schema, placeholders, files, folders, the listen rule, templates), all
  // at once, in line order: the same function `run` uses.
  const loaded = loadCheckedConfig(file, options);
  const foreign = options.flavour !== undefined && options.flavour !== hostFlavour();
  preflight(foreign ? { ...loaded, config: { ...loaded.config, files: undefined } } : loaded, file);
  return loaded;
}

/**
 * Builds the whole app from the config, as `run` does, but on a throwaway data directory and without starting
 * anything, for any check a component makes when it is created that findConfigProblems does not know of.
 */
function preflight(loaded: LoadedConfig, file: string): void {
  const scratch = mkdtempSync(join(tmpdir(), "steward-check-"));
  try {
    const app = createApp({ ...loaded, config: { ...loaded.config, dataDir: scratch } }, { log: createSilentLogger() });
    // Nothing was started; closing the store now (synchronously) releases the file, which Windows needs
    // before the scratch folder can be removed.
    app.store.close();
  } catch (err) {
    const message = err instanceof AppError ? err.message : String(err);
    throw new AppError("CONFIG_INVALID", `${file}: ${message}`, { cause: err });
  } finally {
    removeScratch(scratch);
  }
}

/** Removes the scratch folder; never fails the check (a leftover in the temp folder is harmless). */
function removeScratch(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Recursive removal is refused on some Windows file systems (and under Wine): delete file by file.
    try {
      for (const name of readdirSync(dir)) unlinkSync(join(dir, name));
      rmdirSync(dir);
    } catch {
      // Give up quietly.
    }
  }
}

export function configSchemaCommand(outFile: string | undefined, out: (s: string) => void): number {
  const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  if (outFile) {
    writeFileSync(outFile, text);
    out(`wrote ${outFile}`);
  } else out(text.trimEnd());
  return 0;
}
