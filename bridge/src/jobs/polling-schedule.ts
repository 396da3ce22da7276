/**
 * Which mailbox+modules the polling timer enqueues at each tick. Polling is the safety net under push: a module with
 * live push channels on both sides (a change on either side notifies the bridge) is polled only once per safety
 * interval, in case a notification was lost (Graph does not guarantee delivery, graph-and-addin.md §1.6); any other
 * module at every tick of the settings' interval. This is what keeps an idle, push-covered mailbox cheap.
 */
import { laneKey, type SyncJob } from "./job.js";

export type PollTarget = Pick<SyncJob, "mailboxId" | "module">;

export class PollingSchedule {
  private readonly lastPolled = new Map<string, number>();

  constructor(private readonly safetyIntervalMs: number) {}

  /** Notes that these targets were just synced by other means (the initial sync of everyone). */
  polled(now: Date, targets: readonly PollTarget[]): void {
    for (const target of targets) this.lastPolled.set(laneKey(target), now.getTime());
  }

  /** The targets to enqueue at `now` (and notes them as polled). */
  due(now: Date, targets: readonly PollTarget[], pushCovered: (target: PollTarget) => boolean): PollTarget[] {
    const due: PollTarget[] = [];
    for (const target of targets) {
      const last = this.lastPolled.get(laneKey(target));
      if (last !== undefined && pushCovered(target) && now.getTime() - last < this.safetyIntervalMs) continue;
      due.push(target);
    }
    this.polled(now, due);
    return due;
  }
}
