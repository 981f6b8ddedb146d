// `steward apikey create --name N --scopes a,b [--hash sha256|scrypt]`: makes a new API key, prints it once and
// the YAML entry (with the hash only) to paste under security.apiKeys. `steward apikey hash` hashes a key read
// from stdin, for keys made elsewhere.
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { GRANTABLE_SCOPES, personSchema } from "../../platform/security/config";
import { generateApiKey, hashApiKey, type HashAlgorithm } from "../../platform/security/api-keys";
import { APIKEY_HELP } from "./apikey-help";
import { UsageError } from "./usage";
import { readStdinText } from "../../platform/runtime";

function parseScopes(text: string | undefined): (typeof GRANTABLE_SCOPES)[number][] {
  if (!text) throw new UsageError("apikey create: --scopes is required, e.g. --scopes tasks,kv.read");
  const scopes = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of scopes) {
    if (!(GRANTABLE_SCOPES as readonly string[]).includes(s)) throw new UsageError(`apikey: unknown scope "${s}"; expected ${GRANTABLE_SCOPES.join(", ")}`);
  }
  if (scopes.length === 0) throw new UsageError("apikey create: --scopes is empty");
  return [...new Set(scopes)] as (typeof GRANTABLE_SCOPES)[number][];
}

/** --person, checked as security.apiKeys[].person is: the two-person rule counts the key as that person. */
function parsePerson(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const checked = personSchema().safeParse(text.trim());
  if (!checked.success) throw new UsageError(`apikey create: --person: ${checked.error.issues[0]?.message ?? "invalid"}`);
  return checked.data;
}

function parseAlgorithm(text: string | undefined): HashAlgorithm {
  if (text === undefined || text === "sha256") return "sha256";
  if (text === "scrypt") return "scrypt";
  throw new UsageError(`apikey: --hash must be sha256 or scrypt, got "${text}"`);
}

export async function apikeyCommand(argv: string[], out: (s: string) => void, readStdin: () => Promise<string> = readStdinText): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: "string" },
      scopes: { type: "string" },
      person: { type: "string" },
      hash: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const sub = positionals[0];
  if (values.help || sub === undefined) {
    out(APIKEY_HELP);
    return values.help ? 0 : 2;
  }
  const algorithm = parseAlgorithm(values.hash);
  if (sub === "create") {
    const name = values.name;
    if (!name || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new UsageError("apikey create: --name is required (letters, digits, '.', '_' or '-')");
    const scopes = parseScopes(values.scopes);
    const person = parsePerson(values.person);
    const key = generateApiKey();
    const entry = stringify({ security: { apiKeys: [{ name, hash: hashApiKey(key, algorithm), scopes, ...(person ? { person } : {}) }] } });
    out(`API key (shown once; give it to the caller, Steward keeps only the hash):\n\n  ${key}\n`);
    out(`Add this to the config file (merge into an existing security.apiKeys list), then reload or restart:\n\n${entry.trimEnd()}\n`);
    out(`Callers send it as the header  X-API-Key: ${key.slice(0, 8)}…  or  Authorization: Bearer ${key.slice(0, 8)}…`);
    out(
      "If it is Steward's first key or certificate rule, it turns authentication on: callers without a key then keep only what " +
        "security.anonymous grants (by default the load-script routes, from the Qlik nodes). `steward config check` says what for your config.",
    );
    return 0;
  }
  if (sub === "hash") {
    const key = (await readStdin()).trim();
    if (!key) throw new UsageError("apikey hash: no key on stdin");
    out(hashApiKey(key, algorithm));
    return 0;
  }
  throw new UsageError(`apikey: expected 'create' or 'hash', got '${sub}'`);
}
