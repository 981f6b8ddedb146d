// The simulator's certificate export for the test helpers that start one (stepped-site, the harnesses…): a set the
// simulator made once (ensureCerts, three RSA-2048 keys, ~0.4 s of CPU) in the system's temp folder, copied into
// each simulator's certDir before it starts, where the simulator finds a valid set of its own and keeps it (what it
// does when `steward sim` starts again). Tests of the certificates themselves, and of a certificate from another CA,
// make their own sets (generateCertSet).
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CERT_FILES, certSetProblem, ensureCerts } from "../../src/sim/certs/ensure";
import type { CertSet } from "../../src/sim/certs/generate";

/** The shared set's folder in the temp folder: kept between runs on purpose (docs/development.md), not a leftover. */
export const SIM_CERTS_CACHE_PREFIX = "steward-sim-certs-cache-";
const CACHE_PREFIX = SIM_CERTS_CACHE_PREFIX;

/** Seeds `certDir` with the shared set (made first if no test process has, or when it is near its end) and returns it. */
export function simCertDir(certDir: string, hostNames: string[] = []): string {
  if (!existsSync(join(certDir, CERT_FILES.ca))) cpSync(sharedSetDir(hostNames), certDir, { recursive: true });
  return certDir;
}

/**
 * The shared set itself, for a test that needs a CA, a server and a client certificate (an HTTPS receiver, a TLS
 * broker) and not a set of its own: a test of a certificate from another CA makes that one with generateCertSet.
 */
export function cachedCertSet(hostNames: string[] = []): CertSet {
  const dir = sharedSetDir(hostNames);
  return Object.fromEntries(Object.entries(CERT_FILES).map(([k, file]) => [k, readFileSync(join(dir, file), "utf8")])) as unknown as CertSet;
}

/** The shared set's folder for these host names, whole and valid for a week more. */
function sharedSetDir(hostNames: string[]): string {
  const cache = join(tmpdir(), `${CACHE_PREFIX}${Bun.hash(hostNames.join(",")).toString(36)}`);
  // Whole and valid for a week more, checked as the simulator checks a set it finds.
  let usable = false;
  try {
    const set = Object.fromEntries(Object.entries(CERT_FILES).map(([k, file]) => [k, readFileSync(join(cache, file), "utf8")])) as unknown as CertSet;
    usable = certSetProblem(set, hostNames) === undefined;
  } catch {
    usable = false; // not there yet, or incomplete
  }
  if (!usable) {
    // Made aside and renamed into place: two test processes never mix halves of two sets.
    const staging = mkdtempSync(join(tmpdir(), `${CACHE_PREFIX}staging-`));
    ensureCerts(staging, { hostNames });
    rmSync(cache, { recursive: true, force: true });
    try {
      renameSync(staging, cache);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process put its set there first
    }
  }
  return cache;
}
