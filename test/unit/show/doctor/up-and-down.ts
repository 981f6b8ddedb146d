// What the doctor's probes are tried against: a local server that answers, and a port where nothing listens.
import { afterAll, beforeAll } from "bun:test";
import { freeTcpPorts } from "../../../helpers/free-port";

export interface UpAndDown {
  /** A server on 127.0.0.1 answering every request with 200. */
  readonly upPort: number;
  /** A free port: a connection there is refused. */
  readonly downPort: number;
}

/** Starts the answering server before the calling file's tests and stops it after them. */
export function upAndDownPorts(): UpAndDown {
  let up: ReturnType<typeof Bun.serve> | undefined;
  let down = 0;
  beforeAll(async () => {
    up = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
    down = (await freeTcpPorts(1))[0]!;
  });
  afterAll(() => up?.stop(true));
  return {
    get upPort() {
      return up!.port!;
    },
    get downPort() {
      return down;
    },
  };
}
