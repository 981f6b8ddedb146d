// A rota notice goes every way a route reaches its person, whatever became of the others: one way that reached the
// person gives the notice (the ways that failed are named for the log); none throws, naming each, so it is tried again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { EmailChannelSchema } from "../../../../src/tell/notify/channels/email/schema";
import { SlackChannelSchema } from "../../../../src/tell/notify/channels/slack/schema";
import { givePersonalNotice } from "../../../../src/tell/oncall/personal-notice";
import { freeTcpPort } from "../../../helpers/free-port";
import { type HttpReceiver, type SmtpReceiver, startHttpReceiver, startSmtpReceiver } from "../notify/receivers";

let smtp: SmtpReceiver;
let rx: HttpReceiver;
const notice = { subject: "You are on duty (primary)", text: "From Monday 09:00 to Monday 09:00." };
const who = { address: "bo@corp.example", name: "Bo Ek" };

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  rx = startHttpReceiver(500);
});

afterAll(async () => {
  await smtp?.stop();
  await rx?.stop();
});

const mailTo = (port: number) =>
  EmailChannelSchema.parse({ type: "email", smtp: { host: "127.0.0.1", port, security: "none" }, from: "Steward <steward@corp.example>" });
const slack = () => SlackChannelSchema.parse({ type: "slack", webhookUrl: `${rx.url}/slack` });

test("the mail reached the person and Slack refused: the notice is given, Slack named as failed", async () => {
  const failed = await givePersonalNotice({ mail: mailTo(smtp.port), chats: [slack()], baseDir: "." }, "bo@corp.example", notice, who);
  expect(smtp.mails.map((m) => m.envelopeTo)).toEqual([["bo@corp.example"]]);
  expect(rx.requests.filter((r) => r.path === "/slack").length).toBeGreaterThan(0);
  expect(failed).toHaveLength(1);
  expect(failed[0]).toStartWith("slack: ");
});

test("no way reached the person: it throws, naming each way that failed", async () => {
  const closed = await freeTcpPort();
  const given = givePersonalNotice({ mail: mailTo(closed), chats: [slack()], baseDir: "." }, "bo@corp.example", notice, who);
  await expect(given).rejects.toThrow(/^mail: .*; slack: /);
});
