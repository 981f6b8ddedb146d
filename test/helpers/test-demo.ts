// The demo (config/demo.yaml: the simulator, Steward and the capture inbox) started for a test in a folder of its own
// on free ports, its terminal and log lines kept for a failing test to show; and, for the tests a person's clicks
// drive, with Chromium and Firefox beside it.
import demoYaml from "../../config/demo.yaml" with { type: "text" };
import { loggerFor } from "../../src/show/cli/logging";
import { type RunningDemo, startDemo } from "../../src/show/demo/run-demo";
import { createDemoTerminal } from "../../src/show/demo/terminal";
import { launchChromium, type TestBrowser } from "../integration/show/dashboard/chromium";
import { type FirefoxPage, launchFirefox } from "../integration/show/dashboard/firefox";
import { createTempDir, type TempDir } from "./temp-dir";

export interface TestDemo {
  demo: RunningDemo;
  dir: TempDir;
  /** What the demo wrote to its terminal and log (JSON lines), in order. */
  lines: string[];
  /** Stops the demo and removes its folder. */
  stop(): Promise<void>;
}

/** Starts the demo in a temp folder named from `prefix`. */
export async function startTestDemo(prefix: string): Promise<TestDemo> {
  const dir = createTempDir(prefix);
  const lines: string[] = [];
  let demo: RunningDemo;
  try {
    demo = await startDemo({
      yaml: demoYaml,
      baseDir: dir.path,
      // The demo tests expect the preferred ports (7480, …): these take free ones.
      anyPorts: true,
      terminal: createDemoTerminal({ write: (l) => lines.push(l), colour: false }),
      logger: (loaded) => loggerFor({ logging: { ...loaded.config.logging, format: "json" } }, {}, loaded.secrets, (l) => lines.push(l)),
    });
  } catch (err) {
    dir.remove();
    throw err;
  }
  return {
    demo,
    dir,
    lines,
    async stop() {
      await demo.stop();
      dir.remove();
    },
  };
}

export interface DemoInBrowsers extends TestDemo {
  chromium: TestBrowser;
  firefox: FirefoxPage;
}

/** The demo, then Chromium and Firefox (each a fresh profile); stop() closes both browsers, then the demo. */
export async function startDemoInBrowsers(prefix: string): Promise<DemoInBrowsers> {
  const started = await startTestDemo(prefix);
  let chromium: TestBrowser | undefined;
  let firefox: FirefoxPage | undefined;
  const stop = async () => {
    await firefox?.close();
    await chromium?.close();
    await started.stop();
  };
  try {
    chromium = await launchChromium();
    firefox = await launchFirefox();
  } catch (err) {
    await stop();
    throw err;
  }
  return { ...started, chromium, firefox, stop };
}
