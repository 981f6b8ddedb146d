import { runMonth } from "./helpers/month-run";
import { createTempDir } from "./helpers/temp-dir";
const d = createTempDir();
const m = await runMonth({ dir: d.path, days: 1 });
console.log("fired", m.run.site.clock.firedTimers());
const t = [...((globalThis as any).__tally as Map<string, number>)].sort((a, b) => b[1] - a[1]).slice(0, 30);
for (const [k, v] of t) console.log(v, k.slice(0, 220));
await m.close(); d.remove();
process.exit(0);
