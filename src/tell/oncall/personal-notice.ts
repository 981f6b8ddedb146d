// One notice to one person of the rota (the hand-off notice, an override's notices) by every way a route to the
// schedule reaches them: mail, then each Slack or Teams channel. Each way is tried whatever became of the others; the
// notice counts as given when one reached the person, because trying it again would repeat it on the ways that worked.
import { sendPersonalMail } from "../notify/channels/email/personal-mail";
import type { EmailChannelConfig } from "../notify/channels/email/schema";
import { type ChatChannel, type ChatNotice, postChatNotice } from "./chat-notice";
import type { OnDutyMention } from "./mention";

export interface PersonalNoticeWays {
  mail?: EmailChannelConfig | undefined;
  chats: readonly ChatChannel[];
  baseDir: string;
  /** The test address a test message goes to instead (mail), and whether chats post to their test target. */
  testTarget?: string | undefined;
}

/**
 * Gives `notice` to `to` (its mention `who` in chats, the card labelled `label`). Returns the ways that failed, each
 * with its error; throws with all of them when none reached the person.
 */
export async function givePersonalNotice(ways: PersonalNoticeWays, to: string, notice: ChatNotice, who: OnDutyMention, label?: string): Promise<string[]> {
  const failed: string[] = [];
  let given = 0;
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
      given++;
    } catch (err) {
      failed.push(`${what}: ${(err as Error).message}`);
    }
  };
  const { mail, baseDir, testTarget } = ways;
  if (mail) await attempt("mail", () => sendPersonalMail(mail, baseDir, { to, subject: notice.subject, text: notice.text }, testTarget));
  const chatOptions = { baseDir, testMode: testTarget !== undefined, ...(label !== undefined ? { label } : {}) };
  for (const chat of ways.chats) await attempt(chat.type, () => postChatNotice(chat, notice, who, chatOptions));
  if (given === 0) throw new Error(failed.join("; "));
  return failed;
}
