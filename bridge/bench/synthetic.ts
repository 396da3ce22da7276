/**
 * Ports for the memory figure at 100k contacts: a mailbox that generates its contacts page by page (nothing stored
 * on its side) and a CRM that answers writes without keeping them. Only the engine, the real contact module and the
 * SQLite status store hold anything, so the engine process's peak RSS is the bridge's own footprint for N contacts
 * without the simulators' HTTP stacks (the initial-sync figures measure those, at 10k). Nothing here is the bridge's
 * code; it stands in for the services.
 */
import type { ChangePage, ListingPage, RecordPort, RemoteItem } from "../src/connectors/port.js";
import type { Contact } from "../src/model/index.js";

const PAGE = 1_000;

function contact(n: number): RemoteItem<Contact> {
  return {
    id: `ex-${n}`,
    version: "v1",
    value: {
      givenName: `Given${n}`,
      surname: `Surname${n}`,
      displayName: `Given${n} Surname${n}`,
      companyName: `Company ${n % 500}`,
      jobTitle: "Buyer",
      email1: `person${n}@example.com`,
      businessPhone: `+1 555 ${String(n).padStart(7, "0")}`,
      businessAddress: { street: `${n} Main Street`, city: "Springfield", postalCode: "12345", country: "US" },
      categories: [],
    },
  };
}

const unsupported = (what: string) => (): never => {
  throw new Error(`synthetic port: ${what} is not part of the memory figure`);
};

/** A port that supports nothing but a full listing (no delta: the engine diffs listings); writes throw. */
function listingOnly(listAll: RecordPort<Contact>["listAll"]): RecordPort<Contact> {
  return {
    module: "contacts",
    capabilities: {
      delta: false,
      deltaReportsDeletions: false,
      maxBatchSize: 100,
      conditionalWrites: true,
      push: false,
    },
    listChanges: unsupported("listChanges") as () => Promise<ChangePage<Contact>>,
    listAll,
    getMany: unsupported("getMany"),
    create: unsupported("create"),
    update: unsupported("update"),
    delete: unsupported("delete"),
  };
}

/** A mailbox of `count` generated contacts, listed in pages of 1 000; writes are refused (two-way sees none). */
export function generatedMailbox(count: number): RecordPort<Contact> {
  return listingOnly(async (pageToken) => {
    const start = Number(pageToken ?? 0);
    const end = Math.min(count, start + PAGE);
    const items = Array.from({ length: end - start }, (_, i) => contact(start + i));
    return end < count ? { items, nextPageToken: String(end) } : ({ items, cursor: "end" } as ListingPage<Contact>);
  });
}

/** An empty CRM that answers creates with new ids and forgets them. */
export function forgetfulCrm(): RecordPort<Contact> {
  let next = 0;
  return {
    ...listingOnly(async () => ({ items: [], cursor: "empty" })),
    async create(requests) {
      return requests.map((request) => ({
        ok: true,
        value: { id: `crm-${next++}`, version: "2026-01-01T00:00:00+00:00", value: request.value },
      }));
    },
  };
}
