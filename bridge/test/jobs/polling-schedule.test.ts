/** The polling timer's choice per tick: push-covered modules once per safety interval, the others every tick. */
import { describe, expect, it } from "vitest";
import { PollingSchedule } from "../../src/jobs/polling-schedule.js";

const covered = { mailboxId: "u1", module: "contacts" } as const;
const uncovered = { mailboxId: "u1", module: "emails" } as const;
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000);

describe("PollingSchedule", () => {
  it("polls a push-covered module once per safety interval and any other module at every tick", () => {
    const schedule = new PollingSchedule(60 * 60_000);
    schedule.polled(at(0), [covered, uncovered]);
    const isCovered = (target: { module: string }) => target.module === "contacts";
    const due = [15, 30, 45, 60, 75].map((minute) => schedule.due(at(minute), [covered, uncovered], isCovered));
    expect(due.map((targets) => targets.map((target) => target.module))).toEqual([
      ["emails"],
      ["emails"],
      ["emails"],
      ["contacts", "emails"],
      ["emails"],
    ]);
  });

  it("polls a target never polled before at once, and one that lost its channels at the next tick", () => {
    const schedule = new PollingSchedule(6 * 60 * 60_000);
    expect(schedule.due(at(0), [covered], () => true)).toEqual([covered]);
    expect(schedule.due(at(15), [covered], () => true)).toEqual([]);
    expect(schedule.due(at(30), [covered], () => false)).toEqual([covered]);
  });
});
