// The remediation block: its defaults do nothing automatic, and a rule may not retry the queue's cancellations (they
// wait for the queue to drain: the re-run action), the error naming the file, line and key.
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

test("a rule retrying queue cancellations is refused at its line", () => {
  let message = "";
  try {
    parseConfigText("remediation:\n  rules:\n    - { errorClasses: [connection, queue], retryAfter: [5m] }\n", "t.yaml", "/tmp");
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    message = (e as AppError).message;
  }
  expect(message).toContain("t.yaml:3:");
  expect(message).toContain("remediation.rules[0].errorClasses: queue is not retried by a rule");
});
