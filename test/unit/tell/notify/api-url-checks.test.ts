// The on-call API URLs that parse but cannot work: each named, each working form let through.
import { expect, test } from "bun:test";
import { alertmanagerUrlProblem, opsgenieUrlProblem } from "../../../../src/tell/notify/channels/api-url-checks";

test("an Alertmanager URL with the alerts path (v2 or v1, a route prefix kept, a trailing slash) is refused with its base address", () => {
  expect(alertmanagerUrlProblem("http://am:9093/api/v2/alerts")).toEndWith("give Alertmanager's base address, http://am:9093");
  expect(alertmanagerUrlProblem("http://am:9093/api/v2/alerts/")).toEndWith("give Alertmanager's base address, http://am:9093");
  expect(alertmanagerUrlProblem("https://mon.corp.example/alertmanager/api/v1/alerts")).toEndWith(
    "give Alertmanager's base address, https://mon.corp.example/alertmanager",
  );
  for (const ok of ["http://am:9093", "http://am:9093/", "https://mon.corp.example/alertmanager"]) expect(alertmanagerUrlProblem(ok)).toBeUndefined();
});

test("a Jira Service Management URL other than /jsm/ops/integration, and an alert API URL ending /v2/alerts, are refused with the fix", () => {
  for (const bad of [
    "https://api.atlassian.com",
    "https://api.atlassian.com/jsm/ops",
    "https://corp.atlassian.net",
    "https://corp.atlassian.net/jsm/ops/integration",
  ])
    expect(opsgenieUrlProblem(bad)).toEndWith("set it to https://api.atlassian.com/jsm/ops/integration");
  expect(opsgenieUrlProblem("https://api.atlassian.com/jsm/ops/integration/v2/alerts")).toEndWith("set it to https://api.atlassian.com/jsm/ops/integration");
  expect(opsgenieUrlProblem("https://api.eu.opsgenie.com/v2/alerts")).toEndWith("give the API's base address, https://api.eu.opsgenie.com");
  for (const ok of [
    "https://api.atlassian.com/jsm/ops/integration",
    "https://api.atlassian.com/jsm/ops/integration/",
    "https://api.opsgenie.com",
    "http://127.0.0.1:8443",
  ])
    expect(opsgenieUrlProblem(ok)).toBeUndefined();
});
