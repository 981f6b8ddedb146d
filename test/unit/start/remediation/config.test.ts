// The remediation block: its defaults do nothing automatic; a rule may not retry the queue's cancellations after
// delays (they wait for the queue to drain), but a rule of [queue] alone re-runs them; errors name the file, line and key.
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { AppError } from "../../../../src/platform/core/errors";
import { remediationSchema } from "../../../../src/start/remediation/config";

test("the defaults offer retries of connection, lock and timeout failures and retry nothing on their own", () => {
  expect(remediationSchema().parse({})).toMatchObject({
    offer: true,
    retryClasses: ["connection", "lock", "timeout"],
    rules: [],
    retryIn: [0, 300_000, 900_000, 3_600_000],
  });
});

const errorOf = (yaml: string) => {
  try {
    parseConfigText(yaml, "t.yaml", "/tmp");
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).message;
  }
  return "";
};

test("a rule retrying queue cancellations after delays is refused at its line", () => {
  const message = errorOf("remediation:\n  rules:\n    - { errorClasses: [connection, queue], retryAfter: [5m] }\n");
  expect(message).toContain("t.yaml:3:");
  expect(message).toContain("remediation.rules[0].errorClasses: queue stands alone in a rule");
  expect(message).toContain("remediation.rules[0].retryAfter: a [queue] rule takes no retryAfter");
});

test("a [queue] rule re-runs the queue's cancellations: accepted without delays; a retry rule needs them", () => {
  const cfg = remediationSchema().parse({ rules: [{ name: "queue-reruns", errorClasses: ["queue"], tags: ["Nightly"] }] });
  expect(cfg.rules[0]).toMatchObject({ name: "queue-reruns", errorClasses: ["queue"] });
  expect(cfg.rules[0]!.retryAfter).toBeUndefined();
  expect(errorOf("remediation:\n  rules:\n    - { errorClasses: [connection] }\n")).toContain("remediation.rules[0].retryAfter: required");
});
