// Public entry of @freeride/queue-watchdog: a BullMQ worker replaced when it stops fetching due jobs.
export { QueueWatchdog, delayedDueAt, workerStuck } from './lib/queue-watchdog';
export type {
  QueueWatchdogEvents,
  QueueWatchdogOptions,
  QueueReader,
  WorkerProgress,
} from './lib/queue-watchdog';
