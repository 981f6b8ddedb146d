// Which store errors are an outage (the request is answered 503 and work is kept), and whether a write that failed
// with one may still have been committed (details.outcome "unknown") or surely was not ("notApplied").
import { expect, test } from "bun:test";
import { AppError } from "../../../../src/platform/core/errors";
import { causedByStoreOutage, isStoreUnavailable, mayHaveBeenApplied, StoreTimeoutError } from "../../../../src/platform/store/sql";

const withCode = (code: string) => Object.assign(new Error(code), { code });

test("refused before it ran, or cancelled by the server: an outage, and nothing was applied", () => {
  for (const code of ["ECONNREFUSED", "CONNECT_TIMEOUT", "ENOTFOUND", "57P03", "57014"]) {
    expect({ code, outage: isStoreUnavailable(withCode(code)), applied: mayHaveBeenApplied(withCode(code)) }).toEqual({ code, outage: true, applied: false });
  }
});

test("an answer lost on its way (a timeout, a connection closed or reset mid-statement): the write may have committed", () => {
  for (const err of [new StoreTimeoutError(12_000), withCode("CONNECTION_CLOSED"), withCode("ECONNRESET"), withCode("57P01"), withCode("08006")]) {
    expect({ err: err.message, outage: isStoreUnavailable(err), applied: mayHaveBeenApplied(err) }).toEqual({ err: err.message, outage: true, applied: true });
  }
});

test("a store error wrapped by a bus subscriber's failure is still an outage; a statement the store refused is neither", () => {
  const wrapped = new AppError("INTERNAL", "a required subscriber of task.failed failed", { cause: new StoreTimeoutError(12_000) });
  expect(causedByStoreOutage(wrapped)).toBe(true);
  expect(mayHaveBeenApplied(wrapped)).toBe(true);
  const refused = withCode("23505");
  expect(causedByStoreOutage(refused)).toBe(false);
  expect(mayHaveBeenApplied(refused)).toBe(false);
});
