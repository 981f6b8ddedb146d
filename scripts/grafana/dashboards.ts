// The dashboards Steward ships in config/grafana/: Qlik Sense tasks on InfluxDB 1.x (InfluxQL; Butler's data
// works as it is), the same on VictoriaMetrics (PromQL over the line protocol Steward's v2 channel writes),
// and Steward's own health on Prometheus/VictoriaMetrics (PromQL over /metrics).
// Queries use only names both Steward and Butler write: measurement names, the tags host, task_name, app_name,
// service_name, friendly_name, and the fields execution_id, log_message, reload_log,
// task_executionDuration_sec, state_num, state_text.
import type { DashboardSpec } from "./grafana-json";

const TYPES = "reload|external_program|user_sync|distribute|preload";
const FAILED = `/^(${TYPES})_task_failed$/`;
const SUCCESS = `/^(${TYPES})_task_success$/`;
const HOST = `"host" =~ /^$host$/`;

const SERVICE_STATES = [
  { value: "RUNNING", text: "RUNNING", color: "green" },
  { value: "STOPPED", text: "STOPPED", color: "red" },
  { value: "4", text: "RUNNING", color: "green" },
  { value: "1", text: "STOPPED", color: "red" },
];

export const influxqlTasks: DashboardSpec = {
  uid: "steward-qlik-tasks-influxql",
  title: "Qlik Sense tasks (InfluxDB, InfluxQL)",
  description:
    "Task runs and Windows services of a Qlik Sense site as Steward (or Butler) writes them to InfluxDB 1.x. Also works with InfluxDB 2 through its InfluxQL (v1 compatibility) API.",
  tags: ["qlik-sense", "steward", "butler", "influxdb"],
  datasource: "influxdb",
  timeFrom: "now-7d",
  variables: [
    { name: "host", label: "Host", query: `SHOW TAG VALUES FROM /^(${TYPES})_task_(failed|success)$/ WITH KEY = "host"` },
    { name: "task", label: "Reload task", query: `SHOW TAG VALUES FROM /^reload_task_(failed|success)$/ WITH KEY = "task_name" WHERE ${HOST}` },
  ],
  panels: [
    {
      title: "Failed runs",
      description: "Task runs that failed in the time range, by task type.",
      type: "stat",
      w: 8,
      h: 5,
      targets: [{ query: `SELECT count("execution_id") FROM ${FAILED} WHERE $timeFilter AND ${HOST}`, legend: "$m" }],
    },
    {
      title: "Successful runs",
      description: "Task runs that succeeded in the time range, by task type.",
      type: "stat",
      w: 8,
      h: 5,
      targets: [{ query: `SELECT count("execution_id") FROM ${SUCCESS} WHERE $timeFilter AND ${HOST}`, legend: "$m" }],
    },
    {
      title: "Longest reload",
      description: "The longest successful reload in the time range.",
      type: "stat",
      unit: "s",
      w: 8,
      h: 5,
      targets: [{ query: `SELECT max("task_executionDuration_sec") FROM "reload_task_success" WHERE $timeFilter AND ${HOST}`, legend: "longest reload" }],
    },
    {
      title: "Failed runs per task type",
      description: "Failures over time, one series per measurement (reload_task_failed, external_program_task_failed …).",
      type: "barchart-time",
      stacked: true,
      targets: [{ query: `SELECT count("execution_id") FROM ${FAILED} WHERE $timeFilter AND ${HOST} GROUP BY time($__interval) fill(none)`, legend: "$m" }],
    },
    {
      title: "Successful runs per task type",
      description: "Successes over time, one series per measurement.",
      type: "barchart-time",
      stacked: true,
      targets: [{ query: `SELECT count("execution_id") FROM ${SUCCESS} WHERE $timeFilter AND ${HOST} GROUP BY time($__interval) fill(none)`, legend: "$m" }],
    },
    {
      title: "Most failing tasks",
      description: "Failures per task in the time range, all task types.",
      type: "table",
      sortBy: "failures",
      hideTime: true,
      targets: [{ query: `SELECT count("execution_id") AS "failures" FROM ${FAILED} WHERE $timeFilter AND ${HOST} GROUP BY "task_name"`, format: "table" }],
    },
    {
      title: "Most failing apps",
      description: "Failed reloads per app in the time range.",
      type: "table",
      sortBy: "failures",
      hideTime: true,
      targets: [
        { query: `SELECT count("execution_id") AS "failures" FROM "reload_task_failed" WHERE $timeFilter AND ${HOST} GROUP BY "app_name"`, format: "table" },
      ],
    },
    {
      title: "Reload durations",
      description: "How long each reload task ran (successful and failed runs).",
      type: "timeseries",
      unit: "s",
      targets: [
        {
          query: `SELECT max("task_executionDuration_sec") FROM "reload_task_success" WHERE $timeFilter AND ${HOST} AND "task_name" =~ /^$task$/ GROUP BY time($__interval), "task_name" fill(none)`,
          legend: "$tag_task_name",
        },
        {
          query: `SELECT max("task_executionDuration_sec") FROM "reload_task_failed" WHERE $timeFilter AND ${HOST} AND "task_name" =~ /^$task$/ GROUP BY time($__interval), "task_name" fill(none)`,
          legend: "$tag_task_name (failed)",
        },
      ],
    },
    {
      title: "Slowest reload tasks",
      description: "Longest and average duration of successful reloads per task in the time range.",
      type: "table",
      unit: "s",
      sortBy: "longest",
      hideTime: true,
      fieldUnits: { runs: "none" },
      targets: [
        {
          query: `SELECT max("task_executionDuration_sec") AS "longest", mean("task_executionDuration_sec") AS "average", count("task_executionDuration_sec") AS "runs" FROM "reload_task_success" WHERE $timeFilter AND ${HOST} GROUP BY "task_name"`,
          format: "table",
        },
      ],
    },
    {
      title: "Last failed reloads and their script logs",
      description:
        "The newest failed reloads with the message and reload_log (execution details and the end of the script log). Click a cell to inspect the whole text.",
      type: "table",
      w: 24,
      h: 10,
      targets: [
        {
          query: `SELECT "task_name", "app_name", "host", "log_message", "reload_log" FROM "reload_task_failed" WHERE $timeFilter AND ${HOST} ORDER BY time DESC LIMIT 25`,
          format: "table",
        },
      ],
    },
    {
      title: "Last failures of other task types",
      description: "External program, user sync, distribution and preload tasks that failed.",
      type: "table",
      w: 24,
      h: 8,
      targets: [
        {
          query: `SELECT "task_name", "host", "log_message" FROM /^(external_program|user_sync|distribute|preload)_task_failed$/ WHERE $timeFilter AND ${HOST} ORDER BY time DESC LIMIT 25`,
          format: "table",
        },
      ],
    },
    {
      title: "Windows service states",
      description: "The last known state of each watched service (Steward writes a point when a state changes; Butler on every check).",
      type: "table",
      mappings: SERVICE_STATES,
      hideTime: true,
      targets: [
        {
          query: `SELECT last("state_text") AS "state", last("state_num") AS "state_num" FROM "win_service_state" WHERE ${HOST} GROUP BY "host", "service_name"`,
          format: "table",
        },
      ],
    },
    {
      title: "Service state changes",
      description: "State number over time (1 STOPPED … 4 RUNNING … 7 PAUSED).",
      type: "timeseries",
      targets: [
        {
          query: `SELECT last("state_num") FROM "win_service_state" WHERE $timeFilter AND ${HOST} GROUP BY time($__interval), "host", "service_name" fill(none)`,
          legend: "$tag_host $tag_service_name",
        },
      ],
    },
  ],
};

const P_NAME = (outcome: "failed" | "success") => `__name__=~"(${TYPES})_task_${outcome}_execution_id"`;
const P_HOST = `host=~"$host"`;
const perType = (outcome: "failed" | "success") =>
  `label_replace(sum by (__name__) (count_over_time({${P_NAME(outcome)}, ${P_HOST}}[$__interval]) keep_metric_names), "task_type", "$1", "__name__", "(.+)_task_${outcome}_execution_id")`;

export const promqlTasks: DashboardSpec = {
  uid: "steward-qlik-tasks-promql",
  title: "Qlik Sense tasks (VictoriaMetrics, PromQL)",
  description:
    "Task runs and Windows services of a Qlik Sense site written by Steward's InfluxDB v2 channel (or Butler) to VictoriaMetrics, queried with PromQL/MetricsQL. VictoriaMetrics keeps numbers only: the text of messages and script logs is not there (see Steward's /ui).",
  tags: ["qlik-sense", "steward", "victoriametrics"],
  datasource: "prometheus",
  timeFrom: "now-7d",
  variables: [
    { name: "host", label: "Host", query: `label_values({__name__=~"(${TYPES})_task_(failed|success)_execution_id"}, host)` },
    { name: "task", label: "Reload task", query: `label_values(reload_task_success_task_executionDuration_sec{${P_HOST}}, task_name)` },
  ],
  panels: [
    {
      title: "Failed runs",
      description: "Task runs that failed in the time range.",
      type: "stat",
      w: 8,
      h: 5,
      targets: [{ query: `sum(count_over_time({${P_NAME("failed")}, ${P_HOST}}[$__range]))`, legend: "failed", format: "table" }],
    },
    {
      title: "Successful runs",
      description: "Task runs that succeeded in the time range.",
      type: "stat",
      w: 8,
      h: 5,
      targets: [{ query: `sum(count_over_time({${P_NAME("success")}, ${P_HOST}}[$__range]))`, legend: "succeeded", format: "table" }],
    },
    {
      title: "Longest reload",
      description: "The longest successful reload in the time range.",
      type: "stat",
      unit: "s",
      w: 8,
      h: 5,
      targets: [
        { query: `max(max_over_time(reload_task_success_task_executionDuration_sec{${P_HOST}}[$__range]))`, legend: "longest reload", format: "table" },
      ],
    },
    {
      title: "Failed runs per task type",
      description: "Failures over time by task type.",
      type: "barchart-time",
      stacked: true,
      targets: [{ query: perType("failed"), legend: "{{task_type}} failed" }],
    },
    {
      title: "Successful runs per task type",
      description: "Successes over time by task type.",
      type: "barchart-time",
      stacked: true,
      targets: [{ query: perType("success"), legend: "{{task_type}} succeeded" }],
    },
    {
      title: "Most failing tasks",
      description: "Failures per task in the time range, all task types.",
      type: "table",
      sortBy: "failures",
      targets: [{ query: `topk(15, sum by (task_name) (count_over_time({${P_NAME("failed")}, ${P_HOST}}[$__range])))`, format: "table" }],
    },
    {
      title: "Most failing apps",
      description: "Failed reloads per app in the time range.",
      type: "table",
      sortBy: "failures",
      targets: [{ query: `topk(15, sum by (app_name) (count_over_time(reload_task_failed_execution_id{${P_HOST}}[$__range])))`, format: "table" }],
    },
    {
      title: "Reload durations",
      description: "How long each reload task ran.",
      type: "timeseries",
      unit: "s",
      targets: [
        {
          query: `max by (task_name) (max_over_time(reload_task_success_task_executionDuration_sec{${P_HOST}, task_name=~"$task"}[$__interval]))`,
          legend: "{{task_name}}",
        },
        {
          query: `max by (task_name) (max_over_time(reload_task_failed_task_executionDuration_sec{${P_HOST}, task_name=~"$task"}[$__interval]))`,
          legend: "{{task_name}} (failed)",
        },
      ],
    },
    {
      title: "Slowest reload tasks",
      description: "Longest successful reload per task in the time range.",
      type: "table",
      unit: "s",
      sortBy: "longest",
      targets: [
        { query: `topk(15, max by (task_name) (max_over_time(reload_task_success_task_executionDuration_sec{${P_HOST}}[$__range])))`, format: "table" },
      ],
    },
    {
      title: "Last failed reloads",
      description: "When each task last failed. VictoriaMetrics stores no text: read the script-log lines in Steward's /ui or in the alert.",
      type: "table",
      unit: "dateTimeAsIso",
      sortBy: "last failure",
      w: 24,
      targets: [
        {
          query: `sort_desc(max by (task_name, app_name, host) (tlast_over_time(reload_task_failed_execution_id{${P_HOST}}[$__range])) * 1000)`,
          format: "table",
        },
      ],
    },
    {
      title: "Windows service states",
      description: "The last known state of each watched service (1 STOPPED … 4 RUNNING … 7 PAUSED).",
      type: "table",
      mappings: SERVICE_STATES,
      sortBy: "state",
      targets: [{ query: `max by (host, service_name) (last_over_time(win_service_state_state_num{${P_HOST}}[$__range]))`, format: "table" }],
    },
    {
      title: "Service state changes",
      description: "State number over time (1 STOPPED … 4 RUNNING … 7 PAUSED).",
      type: "timeseries",
      targets: [
        { query: `max by (host, service_name) (last_over_time(win_service_state_state_num{${P_HOST}}[$__interval]))`, legend: "{{host}} {{service_name}}" },
      ],
    },
  ],
};

const I = `instance=~"$instance"`;

export const stewardHealth: DashboardSpec = {
  uid: "steward-health",
  title: "Steward",
  description:
    "Steward itself, from its Prometheus /metrics: intake, enrichment, deliveries, HTTP, store and memory. One series per Steward instance (one per Qlik node).",
  tags: ["steward", "prometheus"],
  datasource: "prometheus",
  timeFrom: "now-24h",
  variables: [{ name: "instance", label: "Instance", query: "label_values(steward_info, instance)" }],
  panels: [
    {
      title: "Uptime",
      description: "Seconds since each Steward started.",
      type: "stat",
      unit: "s",
      w: 6,
      h: 5,
      targets: [{ query: `process_uptime_seconds{${I}}`, legend: "{{instance}}" }],
    },
    {
      title: "Datagrams received",
      description: "UDP datagrams from the Qlik Scheduler in the time range.",
      type: "stat",
      w: 6,
      h: 5,
      targets: [{ query: `sum(increase(steward_intake_datagrams_received_total{${I}}[$__range]))`, legend: "received", format: "table" }],
    },
    {
      title: "Dead-lettered deliveries",
      description: "Deliveries given up in the time range.",
      type: "stat",
      w: 6,
      h: 5,
      targets: [{ query: `sum(increase(steward_notify_deliveries_total{${I}, outcome="dead"}[$__range]))`, legend: "dead", format: "table" }],
    },
    {
      title: "Deliveries waiting",
      description: "Deliveries pending or being sent now.",
      type: "stat",
      w: 6,
      h: 5,
      targets: [{ query: `sum(steward_notify_outbox_deliveries{${I}, status=~"pending|sending|grouping"})`, legend: "waiting", format: "table" }],
    },
    {
      title: "Intake: received, rejected, dropped",
      description:
        "Datagrams per second received, rejected (by reason: source not allowed, too large, unparsable) and dropped before enrichment (queue full, stopping).",
      type: "timeseries",
      unit: "reqps",
      targets: [
        { query: `sum(rate(steward_intake_datagrams_received_total{${I}}[$__rate_interval]))`, legend: "received" },
        { query: `sum by (reason) (rate(steward_intake_datagrams_rejected_total{${I}}[$__rate_interval]))`, legend: "rejected: {{reason}}" },
        { query: `sum by (reason) (rate(steward_intake_dropped_total{${I}}[$__rate_interval]))`, legend: "dropped: {{reason}}" },
      ],
    },
    {
      title: "Kernel drops",
      description: "Datagrams the operating system dropped because Steward's receive buffer was full (Linux; -1 where the OS does not tell).",
      type: "timeseries",
      targets: [{ query: `steward_intake_kernel_drops{${I}}`, legend: "{{instance}}" }],
    },
    {
      title: "Queue depth",
      description: "Task runs waiting for enrichment, being enriched, and distributions polled until final.",
      type: "timeseries",
      targets: [
        { query: `steward_intake_queue_depth{${I}}`, legend: "queued {{instance}}" },
        { query: `steward_intake_in_flight{${I}}`, legend: "in flight {{instance}}" },
        { query: `steward_intake_distribute_pending{${I}}`, legend: "distribute pending {{instance}}" },
      ],
    },
    {
      title: "Enrichment completeness",
      description: "Task events enriched from QRS: complete, or missing something (QRS slow or down).",
      type: "timeseries",
      stacked: true,
      targets: [{ query: `sum by (complete) (increase(steward_intake_events_enriched_total{${I}}[$__rate_interval]))`, legend: "complete={{complete}}" }],
    },
    {
      title: "Task events by kind",
      description: "Events put on the bus, by kind and how Steward learnt of them (datagram or reconciliation).",
      type: "barchart-time",
      stacked: true,
      targets: [{ query: `sum by (kind, source) (increase(steward_intake_events_emitted_total{${I}}[$__rate_interval]))`, legend: "{{kind}} via {{source}}" }],
    },
    {
      title: "Deliveries by channel and outcome",
      description: "Delivered, retried, dead-lettered, suppressed and grouped deliveries per channel.",
      type: "barchart-time",
      stacked: true,
      targets: [{ query: `sum by (channel, outcome) (increase(steward_notify_deliveries_total{${I}}[$__rate_interval]))`, legend: "{{channel}} {{outcome}}" }],
    },
    {
      title: "Outbox by channel and state",
      description: "Deliveries in the durable outbox now.",
      type: "timeseries",
      targets: [{ query: `sum by (channel, status) (steward_notify_outbox_deliveries{${I}})`, legend: "{{channel}} {{status}}" }],
    },
    {
      title: "Retries and dead letters",
      description: "Failed attempts that will be retried, and deliveries given up, per channel.",
      type: "timeseries",
      targets: [
        { query: `sum by (channel) (increase(steward_notify_deliveries_total{${I}, outcome="retry"}[$__rate_interval]))`, legend: "{{channel}} retry" },
        { query: `sum by (channel) (increase(steward_notify_deliveries_total{${I}, outcome="dead"}[$__rate_interval]))`, legend: "{{channel}} dead" },
      ],
    },
    {
      title: "Delivery latency (p95)",
      description: "95th percentile time of successful delivery attempts per channel.",
      type: "timeseries",
      unit: "s",
      targets: [
        {
          query: `histogram_quantile(0.95, sum by (le, channel) (rate(steward_notify_send_duration_seconds_bucket{${I}}[$__rate_interval])))`,
          legend: "{{channel}}",
        },
      ],
    },
    {
      title: "HTTP requests",
      description: "Requests per second by status.",
      type: "timeseries",
      unit: "reqps",
      targets: [{ query: `sum by (status) (rate(steward_http_requests_total{${I}}[$__rate_interval]))`, legend: "{{status}}" }],
    },
    {
      title: "HTTP latency",
      description: "Median and 95th percentile request time.",
      type: "timeseries",
      unit: "s",
      targets: [
        { query: `histogram_quantile(0.5, sum by (le) (rate(steward_http_request_duration_seconds_bucket{${I}}[$__rate_interval])))`, legend: "p50" },
        { query: `histogram_quantile(0.95, sum by (le) (rate(steward_http_request_duration_seconds_bucket{${I}}[$__rate_interval])))`, legend: "p95" },
      ],
    },
    {
      title: "Store size",
      description: "The store's database file and write-ahead log on disk.",
      type: "timeseries",
      unit: "bytes",
      stacked: true,
      targets: [{ query: `steward_store_size_bytes{${I}}`, legend: "{{instance}} {{file}}" }],
    },
    {
      title: "Process memory",
      description: "Resident set size, JavaScript heap and memory outside the heap.",
      type: "timeseries",
      unit: "bytes",
      targets: [
        { query: `process_resident_memory_bytes{${I}}`, legend: "rss {{instance}}" },
        { query: `process_heap_used_bytes{${I}}`, legend: "heap used {{instance}}" },
        { query: `process_heap_total_bytes{${I}}`, legend: "heap total {{instance}}" },
        { query: `process_external_memory_bytes{${I}}`, legend: "external {{instance}}" },
      ],
    },
  ],
};

export const DASHBOARDS: Array<[file: string, spec: DashboardSpec]> = [
  ["qlik-sense-tasks-influxql.json", influxqlTasks],
  ["qlik-sense-tasks-victoriametrics.json", promqlTasks],
  ["steward.json", stewardHealth],
];
