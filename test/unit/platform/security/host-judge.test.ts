// The host judge of the browser guard (browser-guard.ts) remembers the last authority it was asked about, compared in
// place: a request naming another host right after it, even one of the same length, is judged on its own name.
import { describe, expect, test } from "bun:test";
import { createHostJudge } from "../../../../src/platform/security/browser-guard";
import type { SecurityPolicy } from "../../../../src/platform/security/policy";

const policy = (allowedHosts: string[] = []) => ({ config: { allowedHosts } }) as unknown as SecurityPolicy;

describe("host judge", () => {
  test("on a loopback listener, a foreign name of the same length after a loopback one is not known", () => {
    const judge = createHostJudge("127.0.0.1", "box");
    const asked = ["http://127.0.0.1:9/a", "http://example.x:9/a", "http://127.0.0.1:9/b?x=1", "http://example.x:9", "http://127.0.0.1:9"];
    expect(asked.map((href) => judge(href, policy()).known)).toEqual([true, false, true, false, true]);
    expect(judge("http://example.x:9/a", policy()).url.hostname).toBe("example.x");
  });

  test("on another listener, a name is known by the policy asked with, whatever was asked before", () => {
    const judge = createHostJudge("0.0.0.0", "box");
    expect(judge("http://steward.example:8080/v4", policy(["steward.example"])).known).toBe(true);
    expect(judge("http://steward.example:8080/v4", policy()).known).toBe(false);
    expect(judge("http://rebinder.example:8080/v4", policy(["steward.example"])).known).toBe(false);
    expect(judge("http://BOX:8080/", policy()).known).toBe(true);
  });
});
