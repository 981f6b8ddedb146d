// Bench (not a test): /health while readers page GET /v4/engine-reloads?limit=500 after a flood (issue 75, E8: four
// readers made /health take 2.8-4.2 s, 64 ms without them, and each answer weighed 20 MB). Steward runs from source
// without a qlik: section (loopback admitted) and engineReloads' rate raised so the whole flood is judged; each forged
// reload is a failure of an app of its own sent as several long Engine lines, so it keeps the most a reload may (4 KiB
// of lines). Once they are listed, /health is asked every 20 ms for a while with no reader, then as long again while
// the readers each page from the newest through `next`, and start over at the end. Prints /health p50/p99 both ways,
// the pages read, the largest answer, and Steward's memory.
//   bun scripts/bench-readers.ts [--reloads 3000] [--lines 9] [--readers 4] [--seconds 20] [--rate 2000]
// Loopback only; every loop is bounded.
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, freeUdpPort, rssBytes, startTarget, waitFor200 } from "./bench-proc";
import { forgedEngineFailureLine } from "./forged-datagrams";

const REPO = join(import.meta.dir, "..");
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RELOADS = Math.min(arg("reloads", 3_000), 50_000);
/** Lines per reload: the first ends it as failed, the rest join it while it settles. */
const LINES = Math.min(Math.max(arg("lines", 9), 1), 20);
const READERS = Math.min(Math.max(arg("readers", 4), 0), 32);
const SECONDS = Math.min(Math.max(arg("seconds", 20), 1), 600);
/** Datagrams a second. */
const RATE = Math.min(arg("rate", 2_000), 50_000);

const percentile = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : Number.NaN;
};
const mb = (b: number) => (b / 1_000_000).toFixed(1);
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

async function sendFlood(port: number): Promise<number> {
  const sock: Socket = createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const t0 = performance.now();
  let sent = 0;
  for (let reload = 0; reload < RELOADS; reload++)
    for (let line = 0; line < LINES; line++) {
      await new Promise<void>((r) => sock.send(forgedEngineFailureLine(reload, line), port, "127.0.0.1", () => r()));
      sent++;
      if (sent % 32 === 0) await Bun.sleep(Math.max(0, t0 + (sent / RATE) * 1000 - performance.now()));
    }
  sock.close();
  return sent;
}

/** steward_engine_reloads_total summed over its labels. */
async function judged(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith("steward_engine_reloads_total{"))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

/** /health every 20 ms until `until`: the times in ms. */
async function sampleHealth(url: string, until: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; performance.now() < until && i < 100_000; i++) {
    const t0 = performance.now();
    await (await fetch(`${url}/health`)).arrayBuffer();
    times.push(performance.now() - t0);
    await Bun.sleep(20);
  }
  return times;
}

interface ReaderTally {
  pages: number;
  passes: number;
  largest: number;
  reloads: number;
}

/** Pages /v4/engine-reloads?limit=500 from the newest through `next` until `until`, starting over at the end. */
async function reader(url: string, until: number, tally: ReaderTally): Promise<void> {
  let after: string | null = null;
  for (let i = 0; performance.now() < until && i < 100_000; i++) {
    const res = await fetch(`${url}/v4/engine-reloads?limit=500&sinceHours=24${after ? `&after=${after}` : ""}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET /v4/engine-reloads answered ${res.status}: ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { reloads: unknown[]; next: string | null };
    tally.pages++;
    tally.largest = Math.max(tally.largest, Buffer.byteLength(text));
    if (!after) tally.reloads = 0;
    tally.reloads += body.reloads.length;
    after = body.next;
    if (!after) tally.passes++;
  }
}

async function run(work: string) {
  const [httpPort, udpPort] = [await freePort(), await freeUdpPort()];
  const config = join(work, "steward.yaml");
  writeFileSync(
    config,
    [
      "dataDir: ./data",
      "logging: { level: warn, format: json }",
      `http: { host: 127.0.0.1, port: ${httpPort} }`,
      `udp: { host: 127.0.0.1, port: ${udpPort} }`,
      "engineReloads: { maxRunsPerMinute: 100000, burst: 100000, maxOpen: 20000, settle: 2s }",
    ].join("\n"),
  );
  const steward = startTarget([process.execPath, join(REPO, "src/main.ts"), "run", "--config", config], { cwd: work, logFile: join(work, "steward.log") });
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    await waitFor200(`${url}/ready`, performance.now(), 60_000);
    const sent = await sendFlood(udpPort);
    // Judged once the count stops moving for 5 s (each reload settles 2 s after its last line), 5 minutes at most.
    let last = -1;
    for (let still = 0, i = 0; still < 10 && i < 600; i++) {
      const n = await judged(url);
      still = n === last ? still + 1 : 0;
      last = n;
      await Bun.sleep(500);
    }
    const rssFlooded = rssBytes(steward.pid);
    const alone = await sampleHealth(url, performance.now() + SECONDS * 1000);
    const tallies = Array.from({ length: READERS }, () => ({ pages: 0, passes: 0, largest: 0, reloads: 0 }));
    const until = performance.now() + SECONDS * 1000;
    let rssPeak = rssFlooded;
    const watch = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(steward.pid))), 250);
    const [paged] = await Promise.all([sampleHealth(url, until), ...tallies.map((t) => reader(url, until, t))]);
    clearInterval(watch);
    return { sent, judged: last, alone, paged: paged!, tallies, rssFlooded, rssPeak };
  } finally {
    await steward.stop();
  }
}

if (import.meta.main) {
  const work = mkdtempSync(join(tmpdir(), "steward-bench-readers-"));
  try {
    const loadBefore = loadavg();
    const r = await run(work);
    const listed = Math.max(0, ...r.tallies.map((t) => t.reloads));
    const pages = r.tallies.reduce((n, t) => n + t.pages, 0);
    console.log(
      [
        `flood: ${RELOADS} forged failed Engine reloads of ${LINES} lines each (${r.sent} datagrams at ${RATE}/s), ${r.judged} judged, ${listed} listed in a full pass`,
        `/health alone:              p50 ${percentile(r.alone, 50).toFixed(1)} ms, p99 ${percentile(r.alone, 99).toFixed(1)} ms over ${r.alone.length} requests`,
        `/health with ${READERS} readers paging: p50 ${percentile(r.paged, 50).toFixed(1)} ms, p99 ${percentile(r.paged, 99).toFixed(1)} ms over ${r.paged.length} requests (target p99 ≤ 100 ms)`,
        `readers: ${pages} pages of limit=500 in ${SECONDS} s, ${r.tallies.reduce((n, t) => n + t.passes, 0)} full passes, largest answer ${mb(Math.max(0, ...r.tallies.map((t) => t.largest)))} MB`,
        `Steward's memory: ${mb(r.rssFlooded)} MB after the flood, ${mb(r.rssPeak)} MB at most while read`,
        `load average before ${loadBefore}, after ${loadavg()}`,
      ].join("\n"),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
