/// <reference lib="deno.ns" />
// Checked by `deno check` only (tsconfig excludes this folder: bun-types has no Deno global). Proves the subset
// of the Deno API typed by hand in src/platform/runtime/deno/api.ts matches Deno's own declarations.
import type { DenoApi, DenoFfiSymbol } from "../../src/platform/runtime/deno/api.ts";
import { denoRuntime } from "../../src/platform/runtime/deno/index.ts";
import { bindWin32Service } from "../../src/platform/runtime/deno/win32-service.ts";
import { openEventSource } from "../../src/platform/runtime/deno/win32-event-log.ts";

// dlopen's symbols are typed loosely on purpose (Deno maps each definition to a precise signature); the
// definitions themselves are checked: DenoFfiSymbol must fit Deno's ForeignFunction.
export const api: Omit<DenoApi, "dlopen"> = Deno;
export const symbol: Deno.ForeignFunction = {} as DenoFfiSymbol;
export const loaded = [denoRuntime, bindWin32Service, openEventSource];
