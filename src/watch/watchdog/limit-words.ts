// Why a task's running-long limit is what it is, in words an administrator reads on the watchdog's page: durations
// and what they are compared with ("twice its usual 6 min"), never the factor of a formula ("the median × 127.56").
import { spanText } from "../../tell/notify/time-format";
import type { UsualDuration } from "./usual";

function termInWords(u: UsualDuration): string {
  const usual = `its usual ${spanText(u.medianMs)}`;
  switch (u.basisKind) {
    case "floor":
      return `never less than ${spanText(u.limitMs)} (watchdog.runningLong.floor); ${usual} is far below`;
    case "double":
      return `twice ${usual}`;
    case "spread":
      return `${usual}, with room for how much its runs vary (the longest recent one took ${spanText(u.longestMs)})`;
    case "reach":
      return `a quarter more than its slower runs (1 in 20 take ${spanText(u.p95Ms)} or more); ${usual}`;
    case "learning":
      return `more room than it will get later; ${usual}`;
    case "hang":
      return `paged only when it looks hung (${spanText(u.limitMs)}, ${+(u.limitMs / Math.max(u.medianMs, 1)).toFixed(1)} times ${usual})${
        u.noticeMs !== undefined ? `, a notice from ${spanText(u.noticeMs)}` : ""
      }`;
  }
}

export function limitInWords(u: UsualDuration): string {
  const words = termInWords(u);
  return u.learning ? `still learning from its first ${u.samples} successful runs: ${words}` : words;
}
