// `steward config explain KEY`: the configuration reference's entry for one key (docs/configuration-reference.md).
import { explainKey, referenceSource } from "../../platform/config/reference";
import { stewardConfigReader } from "./steward-config";
import { UsageError } from "./usage";

export function configExplainCommand(key: string | undefined, out: (s: string) => void): number {
  if (!key) throw new UsageError("config explain: missing KEY, e.g. steward config explain notify.outbox.maxAttempts");
  const result = explainKey(key, referenceSource(stewardConfigReader));
  if (!result.ok) throw new UsageError(result.message);
  out(result.text);
  return 0;
}
