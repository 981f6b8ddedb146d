// The MSI's first install into %ProgramData%\Steward (--fresh-folder): the folder must hold nothing the installer did
// not make. Any local user may create that folder before Steward is installed and leave a steward.yaml, a steward.env
// or a data folder in it, which the service would then read with full trust; so such an install is refused, naming
// what was found, unless the administrator says the folder is theirs (ADOPTFOLDER=1).
import { readdirSync } from "node:fs";
import { basename } from "node:path";

const MAX_NAMED = 10;

/** Why a first install may not use `folder`, or undefined when it holds nothing but the install's own report. */
export function freshFolderProblem(folder: string, report: string | undefined): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    return `cannot list ${folder}: ${(err as Error).message}`;
  }
  // The report this very command appends to is the installer's own (installer.log).
  const own = report ? basename(report.replace(/\\/g, "/")).toLowerCase() : undefined;
  const found = entries.filter((e) => e.toLowerCase() !== own).sort();
  if (found.length === 0) return undefined;
  const named = found.slice(0, MAX_NAMED).join(", ") + (found.length > MAX_NAMED ? `, … (${found.length} in all)` : "");
  return (
    `${folder} already holds files this install did not create (${named}). Anyone who can log on to this server may ` +
    "create that folder before Steward is installed, and the service would read a config, a steward.env or data found " +
    "there with full trust. Check them; move away what is not yours; then install again, or, if the folder is yours " +
    "(a Steward removed earlier, or files an administrator put there), install with ADOPTFOLDER=1."
  );
}
