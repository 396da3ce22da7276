/**
 * A stand-in Outlook host for the sandbox preview page (and the unit tests' mock data): the subset of Office.js the
 * task pane uses, fed with a simulated mailbox item from the bridge's sandbox.
 *
 * Runtime strings follow ../shared/spec/graph-and-addin.md §2.6 (HostType/PlatformType/AsyncResultStatus from an
 * office.js build; CoercionType/RestVersion/ItemType from @types/office-js). Read messages are served as Message Read
 * items; appointments as Appointment Organizer (compose) items, because that is where the add-in adds attendees.
 */
import type { PreviewItem } from "../../../bridge/src/api/addin.js";

export const officeEnums = {
  HostType: { Outlook: "Outlook" },
  PlatformType: {
    PC: "PC",
    OfficeOnline: "OfficeOnline",
    Mac: "Mac",
    iOS: "iOS",
    Android: "Android",
    Universal: "Universal",
  },
  AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
  CoercionType: { Text: "text", Html: "html" },
  MailboxEnums: {
    RestVersion: { v1_0: "v1.0", v2_0: "v2.0", Beta: "beta" },
    ItemType: { Message: "message", Appointment: "appointment" },
  },
  EventType: {
    ItemChanged: "olkItemSelectedChanged",
    DialogMessageReceived: "dialogMessageReceived",
    DialogEventReceived: "dialogEventReceived",
  },
} as const;

type Callback<T> = (result: {
  status: string;
  value: T;
  error?: { name: string; message: string; code: number };
}) => void;
const succeed = <T>(callback: Callback<T> | undefined, value: T) =>
  queueMicrotask(() => callback?.({ status: officeEnums.AsyncResultStatus.Succeeded, value }));

const toDetails = (person: { email: string; name: string | null }) => ({
  emailAddress: person.email,
  displayName: person.name ?? person.email,
  recipientType: "externalUser",
});

export type PreviewMailbox = { address: string; displayName: string; timeZone: string };

export type PreviewHostOptions = {
  mailbox: PreviewMailbox;
  /** Highest Mailbox requirement set the simulated client supports (e.g. "1.1" to preview Exchange 2013). */
  mailboxVersion: string;
  /** Outlook's UI language the preview pretends to have (Office.context.displayLanguage), e.g. "de-DE". */
  displayLanguage?: string;
};

function messageReadItem(item: PreviewItem) {
  return {
    itemType: officeEnums.MailboxEnums.ItemType.Message,
    itemId: item.ewsItemId,
    internetMessageId: item.internetMessageId ?? undefined,
    subject: item.subject,
    from: item.from ? toDetails(item.from) : undefined,
    sender: item.from ? toDetails(item.from) : undefined,
    to: item.to.map(toDetails),
    cc: item.cc.map(toDetails),
    dateTimeCreated: new Date(item.dateTimeCreated),
    attachments: item.attachments.map((a) => ({ ...a, attachmentType: "file", isInline: false })),
    body: { getAsync: (_type: string, callback: Callback<string>) => succeed(callback, item.bodyText) },
  };
}

function appointmentComposeItem(item: PreviewItem) {
  const attendees = item.to.map(toDetails);
  const field = <T>(value: () => T) => ({ getAsync: (callback: Callback<T>) => succeed(callback, value()) });
  return {
    itemType: officeEnums.MailboxEnums.ItemType.Appointment,
    subject: field(() => item.subject),
    start: field(() => new Date(item.start ?? item.dateTimeCreated)),
    end: field(() => new Date(item.end ?? item.dateTimeCreated)),
    location: field(() => item.location ?? ""),
    body: { getAsync: (_type: string, callback: Callback<string>) => succeed(callback, item.bodyText) },
    requiredAttendees: {
      getAsync: (callback: Callback<ReturnType<typeof toDetails>[]>) => succeed(callback, [...attendees]),
      addAsync: (people: { emailAddress: string; displayName: string }[], callback: Callback<void>) => {
        for (const p of people) {
          if (!attendees.some((a) => a.emailAddress.toLowerCase() === p.emailAddress.toLowerCase())) {
            attendees.push(toDetails({ email: p.emailAddress, name: p.displayName }));
          }
        }
        succeed(callback, undefined);
      },
    },
  };
}

/**
 * Outlook's "New meeting" form, which the sandbox mailbox cannot list (it only holds sent and received items): a
 * meeting `organiser` is organising tomorrow 10:00–11:00 UTC with `attendees` invited, so the attendee pane has
 * something to show availability for.
 */
export function newMeetingItem(
  organiser: { email: string; name: string },
  attendees: { email: string; name: string }[],
  now: Date,
): PreviewItem {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const at = (hour: number) => new Date(day.getTime() + hour * 3_600_000).toISOString();
  return {
    itemType: "appointment",
    ewsItemId: "preview-new-meeting",
    restItemId: null,
    internetMessageId: null,
    subject: "Planning meeting",
    from: organiser,
    to: attendees,
    cc: [],
    start: at(10),
    end: at(11),
    location: null,
    dateTimeCreated: now.toISOString(),
    bodyText: "",
    attachments: [],
  };
}

/** Compares dotted requirement-set versions numerically ("1.14" > "1.5"). */
export const compareVersions = (a: string, b: string) => {
  const [pa, pb] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
};

/** Builds the stub; `selectItem` switches the open item and fires ItemChanged like a pinned pane. */
export function createPreviewOffice(options: PreviewHostOptions, items: readonly PreviewItem[]) {
  let current: ReturnType<typeof messageReadItem> | ReturnType<typeof appointmentComposeItem> | null = null;
  const itemChangedHandlers = new Set<() => void>();
  const restIds = new Map(items.map((i) => [i.ewsItemId, i.restItemId ?? i.ewsItemId]));

  const mailbox = {
    get item() {
      return current;
    },
    userProfile: {
      emailAddress: options.mailbox.address,
      displayName: options.mailbox.displayName,
      timeZone: options.mailbox.timeZone,
    },
    convertToRestId: (id: string) => restIds.get(id) ?? id,
    addHandlerAsync: (type: string, handler: () => void, callback?: Callback<void>) => {
      if (type === officeEnums.EventType.ItemChanged) itemChangedHandlers.add(handler);
      succeed(callback, undefined);
    },
    removeHandlerAsync: (type: string, callback?: Callback<void>) => {
      if (type === officeEnums.EventType.ItemChanged) itemChangedHandlers.clear();
      succeed(callback, undefined);
    },
    getUserIdentityTokenAsync: (callback: Callback<string>) =>
      queueMicrotask(() =>
        callback({
          status: officeEnums.AsyncResultStatus.Failed,
          value: "",
          error: { name: "GenericTokenError", message: "The preview host issues no Exchange tokens", code: 9018 },
        }),
      ),
  };

  const office = {
    ...officeEnums,
    onReady: (callback?: (info: { host: string; platform: string }) => void) => {
      const info = { host: officeEnums.HostType.Outlook, platform: officeEnums.PlatformType.OfficeOnline };
      callback?.(info);
      return Promise.resolve(info);
    },
    context: {
      displayLanguage: options.displayLanguage ?? "en-US",
      mailbox,
      requirements: {
        isSetSupported: (name: string, version = "1.1") =>
          name === "Mailbox" && compareVersions(version, options.mailboxVersion) <= 0,
      },
      ui: {},
    },
  };

  return {
    office: office as unknown as typeof Office,
    selectItem(item: PreviewItem | null) {
      current =
        item === null ? null : item.itemType === "message" ? messageReadItem(item) : appointmentComposeItem(item);
      for (const handler of itemChangedHandlers) handler();
    },
  };
}
