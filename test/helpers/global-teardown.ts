// Preloaded into every `bun test` run (bunfig.toml): after the last test file, removes what the run left in the
// system's temp folder that is too large to leave there (the Wine prefix, about 700 MB).
import { afterAll } from "bun:test";
import { removeThisRunsWinePrefix } from "./wine";

afterAll(() => {
  removeThisRunsWinePrefix();
});
