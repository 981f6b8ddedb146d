// The running-long limit in words on the watchdog's page: durations and what they are compared with, never a
// formula's factor ("the median × 127.56" was shown before, issue 74).
import { expect, test } from "bun:test";
import { limitInWords } from "../../../../src/watch/watchdog/limit-words";
import { DEFAULT_USUAL, learnUsualDuration } from "../../../../src/watch/watchdog/usual";

const MIN = 60_000;
const words = (minutes: number[], minSamples = DEFAULT_USUAL.minSamples) => {
  const u = learnUsualDuration(
    minutes.map((m) => m * MIN),
    { ...DEFAULT_USUAL, minSamples },
  )!;
  return { kind: u.basisKind, text: limitInWords(u) };
};

test("each way a limit is set reads as durations", () => {
  const cases = [
    words([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
    words([30, 30, 30, 30, 30, 30, 30, 30, 30, 30]),
    words([5, 8, 12, 6, 20, 7, 9, 15, 6, 10, 30, 8]),
    words([6, 6, 7, 6, 6, 40, 6, 7, 6, 60, 6, 6]),
    words([10, 11, 10, 12, 10]),
    words([10, 10], 2),
    words([10, 20, 10, 20, 10]),
  ];
  expect(cases.map((c) => c.kind)).toEqual(["floor", "double", "spread", "reach", "hang", "learning", "spread"]);
  expect(cases.map((c) => c.text)).toEqual([
    "never less than 10 min (watchdog.runningLong.floor); its usual 1 min is far below",
    "twice its usual 30 min",
    "its usual 8 min, with room for how much its runs vary (the longest recent one took 30 min)",
    "a quarter more than its slower runs (1 in 20 take 1 h or more); its usual 6 min",
    "still learning from its first 5 successful runs: paged only when it looks hung (45 min, 4.5 times its usual 10 min), a notice from 36 min",
    "still learning from its first 2 successful runs: more room than it will get later; its usual 10 min",
    "still learning from its first 5 successful runs: its usual 10 min, with room for how much its runs vary (the longest recent one took 20 min)",
  ]);
  for (const c of cases) expect(c.text).not.toMatch(/×|median|percentile/);
});
