// The simulator and one Steward (test/integration/hear/intake/harness.ts) in a temp folder, with a local SMTP
// receiver for its mail channel: the set-up of the end-to-end tests that read the mails a failure sends.
import { type Harness, type HarnessOptions, startHarness } from "../integration/hear/intake/harness";
import { type SmtpReceiver, startSmtpReceiver } from "../integration/tell/notify/receivers";
import { createTempDir, type TempDir } from "./temp-dir";

export interface MailedHarness {
  h: Harness;
  smtp: SmtpReceiver;
  dir: TempDir;
  /** Stops Steward and the simulator, the SMTP receiver, and removes the folder. */
  close(): Promise<void>;
}

/**
 * Starts them in a folder named from `prefix`; `extraYaml` is given the mail channel's line (`  mail: { type: email,
 * … }`, to `to`, ops@corp.example by default) to put under its `channels:`.
 */
export async function startMailedHarness(
  prefix: string,
  o: Omit<HarnessOptions, "dir" | "extraYaml"> & { to?: string[]; extraYaml: (mailChannel: string) => string },
): Promise<MailedHarness> {
  const dir = createTempDir(prefix);
  let smtp: SmtpReceiver | undefined;
  try {
    smtp = await startSmtpReceiver();
    const mail = `  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none }, from: steward@corp.example, to: [${(o.to ?? ["ops@corp.example"]).join(", ")}] }`;
    const { to: _to, extraYaml, ...rest } = o;
    const h = await startHarness({ ...rest, dir: dir.path, extraYaml: extraYaml(mail) });
    const received = smtp;
    return {
      h,
      smtp: received,
      dir,
      async close() {
        await h.close();
        await received.stop();
        dir.remove();
      },
    };
  } catch (err) {
    await smtp?.stop();
    dir.remove();
    throw err;
  }
}
