// One Scheduler log line with the log4net context properties the UDP appenders render.

export interface SchedulerLogEvent {
  /** TaskSession = System.Scheduler.Scheduler.Master.Task.TaskSession; SlaveReloadTask = …Slave.Tasks.ReloadTask. */
  logger: "TaskSession" | "SlaveReloadTask";
  level: "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL";
  message: string;
  timeMs: number;
  /** %hostname: the node that logged. */
  hostName: string;
  /** Name of that node in the site (its appender decides where the datagram goes). */
  nodeName: string;
  taskId: string;
  taskName: string;
  taskType: number;
  /** Set for reload tasks only; other task types have no app in the log context. */
  appId: string | undefined;
  appName: string | undefined;
  /** `DIRECTORY\userid`. */
  user: string;
  executionId: string;
}
