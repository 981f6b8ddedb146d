// Fires fixture cron schedules (croner) as Scheduler-started runs and keeps `operational.nextExecution` current.
import { Cron } from "croner";
import type { Repository } from "../repo/repository";
import { SCHEDULER_USER, type TaskRunner } from "./runner";

export interface TaskScheduler {
  start(): void;
  stop(): void;
}

export function createTaskScheduler(repo: Repository, runner: TaskRunner, enabled: boolean): TaskScheduler {
  const jobs: Cron[] = [];
  return {
    start() {
      for (const task of repo.tasks.values()) {
        const expr = task.model.schedule;
        if (!expr || !task.model.enabled) continue;
        // Even when schedules do not fire (tests), nextExecution shows what the fixture says.
        const job = new Cron(expr, { paused: !enabled, protect: true }, () => {
          runner.start(task.model.id, { user: SCHEDULER_USER });
          task.nextExecutionMs = job.nextRun()?.getTime();
        });
        task.nextExecutionMs = job.nextRun()?.getTime();
        jobs.push(job);
      }
    },
    stop() {
      for (const j of jobs) j.stop();
      jobs.length = 0;
    },
  };
}
