// The little of the oidc-provider package (which ships no types) the test directory uses: a provider built from a
// configuration, served on a port, and its events.
declare module "oidc-provider" {
  import type { Server } from "node:http";

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    listen(port: number): Server;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
