// Mosquitto on a port the test chooses (so it can be stopped and started again on the same port to exercise
// reconnects), with TLS given as PEM text and password users: an adapter over test/helpers/services.ts.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startMosquitto, type TestService } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

export interface BrokerOptions {
  port: number;
  tls?: { ca: string; cert: string; key: string };
  users?: Record<string, string>;
}

export type Broker = TestService;

export async function startBroker(opts: BrokerOptions): Promise<Broker> {
  let pems: TempDir | undefined;
  let tls: { certFile: string; keyFile: string; caFile: string } | undefined;
  if (opts.tls) {
    pems = createTempDir("steward-mosq-pem-");
    for (const [name, pem] of Object.entries(opts.tls)) writeFileSync(join(pems.path, `${name}.pem`), pem);
    tls = { certFile: join(pems.path, "cert.pem"), keyFile: join(pems.path, "key.pem"), caFile: join(pems.path, "ca.pem") };
  }
  try {
    const broker = await startMosquitto({ port: opts.port, ...(opts.users ? { users: opts.users } : {}), ...(tls ? { tls } : {}) });
    return {
      ...broker,
      async stop() {
        await broker.stop();
        pems?.remove();
      },
    };
  } catch (err) {
    pems?.remove();
    throw err;
  }
}
