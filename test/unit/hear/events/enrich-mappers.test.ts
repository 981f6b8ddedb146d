// Pure QRS → event mappings: script-log excerpt, execution info, owner e-mails, outcomes, links.
import { describe, expect, test } from "bun:test";
import { executionPart, linksFor, outcomeOfStatus, ownerEmails, scriptLogExcerpt, taskTypeOf } from "../../../../src/hear/events/enrich-mappers";
import { QrsExecutionResultSchema, QrsUserSchema } from "../../../../src/platform/qlik/qrs-schemas";

describe("enrich mappers", () => {
  test("script-log excerpt: head and tail do not overlap; CRLF; a capped text keeps the end", () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`);
    const text = `${lines.join("\r\n")}\r\n`;
    const e = scriptLogExcerpt(text, 3, 4, 1_000);
    expect(e).toMatchObject({ head: ["line 1", "line 2", "line 3"], tail: ["line 7", "line 8", "line 9", "line 10"], totalLines: 10, text });
    const short = scriptLogExcerpt("a\r\nb\r\nc", 2, 5, 1_000);
    expect([short.head, short.tail]).toEqual([["a", "b"], ["c"]]);
    const capped = scriptLogExcerpt(`${"x".repeat(100)}\r\nError: Cannot open file`, 1, 1, 30);
    expect(capped.truncated).toBe(true);
    expect(capped.text!.endsWith("Error: Cannot open file")).toBe(true);
    expect(Buffer.byteLength(capped.text!)).toBeLessThanOrEqual(30);
    expect(scriptLogExcerpt("x", 1, 1, 0).text).toBeUndefined();
  });

  test("execution info: status names, details sorted, 1753 dates dropped, duration from times when QRS says 0", () => {
    const r = QrsExecutionResultSchema.parse({
      id: "r1",
      status: 8,
      startTime: "2025-11-03T05:59:58.120Z",
      stopTime: "2025-11-03T06:00:41.400Z",
      duration: 0,
      fileReferenceID: "00000000-0000-0000-0000-000000000000",
      executingNodeName: "sense1",
      details: [
        { detailsType: 0, message: "Changing task state from Started to FinishedFail", detailCreatedDate: "2025-11-03T06:00:41.400Z" },
        { detailsType: 2, message: "Changing task state to Triggered", detailCreatedDate: "2025-11-03T05:59:57.900Z" },
      ],
      extraField: true,
    });
    const e = executionPart(r);
    expect(e).toMatchObject({
      executionResultId: "r1",
      statusCode: 8,
      status: "FinishedFail",
      durationMs: 43_280,
      executingNode: "sense1",
      fileReferenceId: undefined,
    });
    expect(e.details.map((d) => d.message)).toEqual(["Changing task state to Triggered", "Changing task state from Started to FinishedFail"]);
    const never = executionPart(
      QrsExecutionResultSchema.parse({ id: "r2", status: 2, startTime: "2025-11-03T05:59:58.120Z", stopTime: "1753-01-01T00:00:00.000Z" }),
    );
    expect(never.stopTime).toBeUndefined();
    expect(never.status).toBe("Started");
  });

  test("owner e-mails, outcomes, task types, links", () => {
    const u = QrsUserSchema.parse({
      id: "u",
      userId: "anna",
      userDirectory: "CORP",
      attributes: [
        { attributeType: "Email", attributeValue: "a@x.example" },
        { attributeType: "email", attributeValue: "b@x.example" },
        { attributeType: "Phone", attributeValue: "1" },
      ],
    });
    expect(ownerEmails(u)).toEqual(["a@x.example", "b@x.example"]);
    expect([7, 6, 8, 11, 5, 9].map(outcomeOfStatus)).toEqual(["succeeded", "aborted", "failed", "failed", undefined, undefined]);
    expect([0, 1, 2, 3, 4, 5, null].map(taskTypeOf)).toEqual(["reload", "externalProgram", "userSync", "distribute", "preload", undefined, undefined]);
    expect(linksFor(undefined, undefined, "a")).toBeUndefined();
    expect(linksFor("https://s/qmc/", "https://s/hub", "app1")).toEqual({
      qmc: "https://s/qmc",
      qmcTask: "https://s/qmc/tasks",
      hubApp: "https://s/sense/app/app1",
    });
    // Butler's appBaseUrl may go through a virtual proxy the hub link does not name.
    expect(linksFor("https://s/qmc", "https://s/hub", "app1", "https://s/proxy/sense/app/")?.hubApp).toBe("https://s/proxy/sense/app/app1");
    expect(linksFor(undefined, undefined, "app1", "https://s/proxy/sense/app")).toEqual({ hubApp: "https://s/proxy/sense/app/app1" });
  });
});
