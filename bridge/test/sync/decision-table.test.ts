/**
 * Scenario tests, one per decision-table cell, for every direction × conflict rule (× change-vs-delete policy where
 * it matters). Each case syncs three times: the first run must reach the expected state, the next two must write
 * nothing and keep it (idempotence, after GenSync's repeated scenario runs).
 */

import { describe, expect, it } from "vitest";
import type { ConflictRule, Direction } from "../../src/sync/merge.js";
import type { Person } from "./fixtures.js";
import { settingsOf, World } from "./world.js";

const DIRECTIONS: readonly Direction[] = ["two-way", "exchange-to-crm", "crm-to-exchange"];
const RULES: readonly ConflictRule[] = ["crm-wins", "exchange-wins", "manual"];

interface Ctx {
  readonly direction: Direction;
  readonly rule: ConflictRule;
  readonly modificationBeatsDeletion: boolean;
}

interface Expected {
  readonly exchange: Person[];
  readonly crm: Person[];
  /** The pair is parked in the manual queue. */
  readonly conflict?: boolean;
  /** Not a single write on either side, in any run. */
  readonly noWrites?: boolean;
}

interface Case {
  readonly name: string;
  /** Establish one synced pair (Ann) before `act`. */
  readonly paired: boolean;
  /** Whether the change-vs-delete policy matters (then both values are run). */
  readonly deletionPolicy?: boolean;
  act(world: World): void;
  expected(ctx: Ctx): Expected;
}

const ANN = { name: "Ann Lee", email: "ann@example.com", phone: "100", company: "Acme" } as const;
const onExchange = (changes: Partial<Person> = {}): Person => ({ ...ANN, categories: ["vip"], ...changes });
const onCrm = (changes: Partial<Person> = {}): Person => ({ ...ANN, leadSource: "web", ...changes });
/** What a side holds after copying from the other side (without the fields only the other side holds). */
const shared = (changes: Partial<Person> = {}): Person => ({ ...ANN, ...changes });

const idOf = (items: { id: string }[]): string => {
  const [item] = items;
  if (!item) throw new Error("no item");
  return item.id;
};
const editExchange = (world: World, changes: Partial<Person>) => {
  const item = world.exchange.snapshot()[0];
  if (!item) throw new Error("no Exchange item");
  world.exchange.userUpdate(item.id, { ...item.value, ...changes });
};
const editCrm = (world: World, changes: Partial<Person>) => {
  const item = world.crm.snapshot()[0];
  if (!item) throw new Error("no CRM item");
  world.crm.userUpdate(item.id, { ...item.value, ...changes });
};
const winner = (ctx: Ctx, exchangeValue: string, crmValue: string): string | undefined => {
  if (ctx.direction === "exchange-to-crm") return exchangeValue;
  if (ctx.direction === "crm-to-exchange") return crmValue;
  if (ctx.rule === "manual") return undefined;
  return ctx.rule === "crm-wins" ? crmValue : exchangeValue;
};

const CASES: readonly Case[] = [
  {
    name: "added/absent: a contact new in Exchange",
    paired: false,
    act: (world) => world.exchange.userCreate(onExchange()),
    expected: (ctx) =>
      ctx.direction === "crm-to-exchange"
        ? { exchange: [onExchange()], crm: [] }
        : { exchange: [onExchange()], crm: [shared()] },
  },
  {
    name: "absent/added: a contact new in the CRM",
    paired: false,
    act: (world) => world.crm.userCreate(onCrm()),
    expected: (ctx) =>
      ctx.direction === "exchange-to-crm" ? { exchange: [], crm: [onCrm()] } : { exchange: [shared()], crm: [onCrm()] },
  },
  {
    name: "added/added: first-sync match of identical contacts links them without writing",
    paired: false,
    act: (world) => {
      world.exchange.userCreate(onExchange());
      world.crm.userCreate(onCrm({ email: "ANN@example.com " }));
    },
    expected: () => ({ exchange: [onExchange()], crm: [onCrm({ email: "ANN@example.com " })], noWrites: true }),
  },
  {
    name: "added/added: first-sync match with a differing field (no base) follows the rule",
    paired: false,
    act: (world) => {
      world.exchange.userCreate(onExchange({ phone: "111" }));
      world.crm.userCreate(onCrm({ phone: "222" }));
    },
    expected: (ctx) => {
      const phone = winner(ctx, "111", "222");
      return phone === undefined
        ? { exchange: [onExchange({ phone: "111" })], crm: [onCrm({ phone: "222" })], conflict: true, noWrites: true }
        : { exchange: [onExchange({ phone })], crm: [onCrm({ phone })] };
    },
  },
  {
    name: "added/added: first-sync match where one side lacks a value keeps the value (two-way)",
    paired: false,
    act: (world) => {
      world.exchange.userCreate(onExchange());
      world.crm.userCreate(onCrm({ phone: undefined, company: "Acme" }));
    },
    expected: (ctx) => {
      // One-way mirrors the source, so a source without a phone empties the target's.
      const phone = ctx.direction === "crm-to-exchange" ? undefined : "100";
      return { exchange: [onExchange({ phone })], crm: [onCrm({ phone })] };
    },
  },
  {
    name: "unchanged/unchanged: nothing happened, nothing is written",
    paired: true,
    act: () => {},
    expected: () => ({ exchange: [onExchange()], crm: [onCrm()], noWrites: true }),
  },
  {
    name: "changed/unchanged: an Exchange edit",
    paired: true,
    act: (world) => editExchange(world, { phone: "111" }),
    expected: (ctx) => {
      const phone = ctx.direction === "crm-to-exchange" ? "100" : "111";
      return { exchange: [onExchange({ phone })], crm: [onCrm({ phone })] };
    },
  },
  {
    name: "unchanged/changed: a CRM edit",
    paired: true,
    act: (world) => editCrm(world, { phone: "222" }),
    expected: (ctx) => {
      const phone = ctx.direction === "exchange-to-crm" ? "100" : "222";
      return { exchange: [onExchange({ phone })], crm: [onCrm({ phone })] };
    },
  },
  {
    name: "changed/changed: edits of different fields are both kept (two-way)",
    paired: true,
    act: (world) => {
      editExchange(world, { phone: "111" });
      editCrm(world, { company: "Beta" });
    },
    expected: (ctx) => {
      const phone = ctx.direction === "crm-to-exchange" ? "100" : "111";
      const company = ctx.direction === "exchange-to-crm" ? "Acme" : "Beta";
      return { exchange: [onExchange({ phone, company })], crm: [onCrm({ phone, company })] };
    },
  },
  {
    name: "changed/changed: edits of the same field follow the rule",
    paired: true,
    act: (world) => {
      editExchange(world, { phone: "111" });
      editCrm(world, { phone: "222" });
    },
    expected: (ctx) => {
      const phone = winner(ctx, "111", "222");
      return phone === undefined
        ? { exchange: [onExchange({ phone: "111" })], crm: [onCrm({ phone: "222" })], conflict: true, noWrites: true }
        : { exchange: [onExchange({ phone })], crm: [onCrm({ phone })] };
    },
  },
  {
    name: "changed/changed: the same edit on both sides is no conflict and needs no write",
    paired: true,
    act: (world) => {
      editExchange(world, { phone: "333" });
      editCrm(world, { phone: "333" });
    },
    expected: () => ({ exchange: [onExchange({ phone: "333" })], crm: [onCrm({ phone: "333" })], noWrites: true }),
  },
  {
    name: "changed/changed: edits of fields only one side holds are both kept, in every direction",
    paired: true,
    act: (world) => {
      editExchange(world, { categories: ["gold", "vip"] });
      editCrm(world, { leadSource: "fair" });
    },
    expected: () => ({
      exchange: [onExchange({ categories: ["gold", "vip"] })],
      crm: [onCrm({ leadSource: "fair" })],
      noWrites: true,
    }),
  },
  {
    name: "deleted/unchanged: deleted in Exchange",
    paired: true,
    act: (world) => world.exchange.userDelete(idOf(world.exchange.snapshot())),
    expected: (ctx) =>
      ctx.direction === "crm-to-exchange" ? { exchange: [onExchange()], crm: [onCrm()] } : { exchange: [], crm: [] },
  },
  {
    name: "unchanged/deleted: deleted in the CRM",
    paired: true,
    act: (world) => world.crm.userDelete(idOf(world.crm.snapshot())),
    expected: (ctx) =>
      ctx.direction === "exchange-to-crm" ? { exchange: [onExchange()], crm: [onCrm()] } : { exchange: [], crm: [] },
  },
  {
    name: "deleted/changed: deleted in Exchange, edited in the CRM",
    paired: true,
    deletionPolicy: true,
    act: (world) => {
      world.exchange.userDelete(idOf(world.exchange.snapshot()));
      editCrm(world, { phone: "222" });
    },
    expected: (ctx) => {
      const both = { exchange: [onExchange({ phone: "222" })], crm: [onCrm({ phone: "222" })] };
      if (ctx.direction === "crm-to-exchange") return both;
      if (!ctx.modificationBeatsDeletion) return { exchange: [], crm: [] };
      return ctx.direction === "two-way" ? both : { exchange: [], crm: [onCrm({ phone: "222" })] };
    },
  },
  {
    name: "changed/deleted: edited in Exchange, deleted in the CRM",
    paired: true,
    deletionPolicy: true,
    act: (world) => {
      editExchange(world, { phone: "111" });
      world.crm.userDelete(idOf(world.crm.snapshot()));
    },
    expected: (ctx) => {
      const both = { exchange: [onExchange({ phone: "111" })], crm: [onCrm({ phone: "111" })] };
      if (ctx.direction === "exchange-to-crm") return both;
      if (!ctx.modificationBeatsDeletion) return { exchange: [], crm: [] };
      return ctx.direction === "two-way" ? both : { exchange: [onExchange({ phone: "111" })], crm: [] };
    },
  },
  {
    name: "deleted/deleted: deleted on both sides",
    paired: true,
    act: (world) => {
      world.exchange.userDelete(idOf(world.exchange.snapshot()));
      world.crm.userDelete(idOf(world.crm.snapshot()));
    },
    expected: () => ({ exchange: [], crm: [], noWrites: true }),
  },
];

/** Two-way baseline: Ann synced, with a field only Exchange holds and one only the CRM holds. */
async function pairAnn(world: World): Promise<void> {
  world.exchange.userCreate(onExchange());
  await world.sync(settingsOf());
  editCrm(world, { leadSource: "web" });
  await world.sync(settingsOf());
  expect(world.state()).toEqual({ exchange: [onExchange()], crm: [onCrm()] });
}

describe("decision table", () => {
  for (const testCase of CASES) {
    describe(testCase.name, () => {
      for (const direction of DIRECTIONS) {
        for (const rule of RULES) {
          for (const modificationBeatsDeletion of testCase.deletionPolicy ? [true, false] : [true]) {
            const ctx: Ctx = { direction, rule, modificationBeatsDeletion };
            const label = `${direction}, ${rule}${testCase.deletionPolicy ? `, modification-beats-deletion ${modificationBeatsDeletion}` : ""}`;
            it(label, async () => {
              const world = new World();
              if (testCase.paired) await pairAnn(world);
              testCase.act(world);
              const expected = testCase.expected(ctx);
              const settings = settingsOf({ direction, conflictRule: rule, modificationBeatsDeletion });
              const writesBefore = world.writeCalls();
              const sourceWritesBefore = { exchange: world.exchange.writeCalls(), crm: world.crm.writeCalls() };
              for (let run = 1; run <= 3; run++) {
                const writesBeforeRun = world.writeCalls();
                const { record } = await world.sync(settings);
                expect(record.status).toBe("completed");
                expect(record.outcomes.filter((outcome) => outcome.status === "error")).toEqual([]);
                expect(world.state()).toEqual({ exchange: expected.exchange, crm: expected.crm });
                if (run > 1) expect(world.writeCalls(), `run ${run} wrote`).toBe(writesBeforeRun);
                const conflicts = await world.store.listConflicts({ mailboxId: "mailbox-1", module: "contacts" });
                expect(conflicts.length).toBe(expected.conflict ? 1 : 0);
                // Found in the first run; later runs find it unchanged and say it is still waiting.
                if (expected.conflict && run === 1)
                  expect(record.outcomes.map((outcome) => outcome.status)).toContain("conflict");
                if (expected.conflict && run > 1) {
                  expect(record.outcomes.map((outcome) => outcome.status)).not.toContain("conflict");
                  expect(record.outcomes.map((outcome) => outcome.reason).join()).toContain(
                    "waiting in the conflict queue",
                  );
                }
              }
              if (expected.noWrites) expect(world.writeCalls()).toBe(writesBefore);
              // One-way never writes to its source.
              if (direction === "exchange-to-crm")
                expect(world.exchange.writeCalls()).toBe(sourceWritesBefore.exchange);
              if (direction === "crm-to-exchange") expect(world.crm.writeCalls()).toBe(sourceWritesBefore.crm);
            });
          }
        }
      }
    });
  }
});
