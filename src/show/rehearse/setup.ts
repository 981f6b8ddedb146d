// Wires the config rehearsal's REST route; its service (the replay) is imported with the first rehearsal asked for,
// not at start.
import type { Router } from "../../platform/http/route";
import { registerRehearseRoutes } from "./http-route";
import type { RehearseDeps, RehearseService } from "./service";

export function setupRehearsal(router: Router | undefined, deps: RehearseDeps): void {
  let made: Promise<RehearseService> | undefined;
  const service = () => (made ??= import("./service").then((m) => m.createRehearsal(deps)));
  if (router) registerRehearseRoutes(router, async (yaml, since) => (await service())(yaml, since));
}
