// Launches Debian's Chromium through playwright-core for the dashboard tests: headless, no network chatter, a
// fresh profile in a temp folder (removed by close()).
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { requireTool } from "../../../helpers/executables";
import { createTempDir } from "../../../helpers/temp-dir";

export interface TestBrowser {
  ctx: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** `timezoneId`: the IANA zone the browser reports (as a viewer elsewhere in the world would have). */
export async function launchChromium(options: { timezoneId?: string } = {}): Promise<TestBrowser> {
  const executablePath = requireTool("chromium");
  const profile = createTempDir("steward-chromium-");
  try {
    const ctx = await chromium.launchPersistentContext(profile.path, {
      executablePath,
      headless: true,
      viewport: { width: 1360, height: 900 },
      ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(15_000);
    return {
      ctx,
      page,
      async close() {
        await ctx.close();
        profile.remove();
      },
    };
  } catch (err) {
    profile.remove();
    throw err;
  }
}
