/**
 * The ONLY module that touches Office.js. Everything else receives an `OfficeHost` (plain data and promises), so
 * components and the API client render and test without an Office host.
 *
 * Rules kept here:
 * - every callback API is promisified and rejects when `status` is `failed` (never `throw` inside an Office
 *   callback: it would escape the caller's try);
 * - nothing reads `Office.context.mailbox.item` at construction; each call reads the current item, because a pinned
 *   pane switches items under us (`ItemChanged`, Mailbox 1.5);
 * - APIs above Mailbox 1.1 are feature-detected with `isSetSupported` (effective set = min(server, client), see
 *   ../shared/spec/graph-and-addin.md §2.3); 1.1-only hosts (Exchange 2013) still get a working read pane.
 * - enums are read from the injected `Office` object, never compared as literals, since their runtime strings are
 *   not all documented (spec §2.6: `EventType.ItemChanged`).
 */

export type MailPerson = { email: string; name: string };

export type MailAttachment = { id: string; name: string; size: number };

/** A snapshot of the open item in the shape the task pane needs; null fields are unknown/unavailable. */
export type MailItemSnapshot = {
  itemType: "message" | "appointment";
  mode: "read" | "compose";
  /** EWS-format id on desktop/web (Mailbox 1.1). Null for unsaved compose items. */
  ewsItemId: string | null;
  /** Graph/REST id (convertToRestId, Mailbox 1.3); null when the host cannot convert. */
  restItemId: string | null;
  internetMessageId: string | null;
  subject: string;
  from: MailPerson | null;
  to: MailPerson[];
  cc: MailPerson[];
  attachments: MailAttachment[];
};

export type HostCapabilities = {
  /** Mailbox 1.3: body.getAsync, convertToRestId, add-in commands. */
  mailbox13: boolean;
  /** Mailbox 1.5: ItemChanged for pinned panes. */
  mailbox15: boolean;
  /** NestedAppAuth 1.1: MSAL nested app authentication (runtime check only; not declarable in the manifest). */
  nestedAppAuth: boolean;
  /** Office dialog API, the auth fallback when NAA is unavailable. */
  dialogApi: boolean;
};

export type MeetingDetails = { subject: string; start: Date; end: Date };

export interface OfficeHost {
  readonly capabilities: HostCapabilities;
  readonly user: { email: string; displayName: string; timeZone: string | null };
  /** Office's UI language as an RFC 4646 tag ("de-DE"), Mailbox 1.1; null when the host does not say. */
  readonly displayLanguage: string | null;
  /** The open item, or null when nothing is selected (e.g. a pinned pane on an empty folder). */
  currentItem(): MailItemSnapshot | null;
  /** Plain-text body (Mailbox 1.3). Rejects on hosts below 1.3. */
  bodyText(): Promise<string>;
  /** Calls `handler` whenever a pinned pane's item changes; resolves to an unsubscribe function. */
  onItemChanged(handler: () => void): Promise<() => void>;
  /** Exchange user identity token (on-prem authentication). */
  userIdentityToken(): Promise<string>;
  /** Exchange callback token (Mailbox 1.1, on-prem): its signed address lets the bridge link the identity token once. */
  exchangeCallbackToken(): Promise<string>;
  /** Compose appointment: subject, start and end (async in compose mode). */
  meetingDetails(): Promise<MeetingDetails>;
  /** Compose appointment: current required attendees. */
  requiredAttendees(): Promise<MailPerson[]>;
  /** Compose appointment: add required attendees (needs ReadWriteItem). */
  addRequiredAttendees(people: MailPerson[]): Promise<void>;
  /** Opens `url` in an Office dialog and resolves with the first message the dialog sends to its parent. */
  dialogMessage(url: string, size: { width: number; height: number }): Promise<string>;
}

/** An Office call that reported `failed`; `code` is Office's numeric error code when it gives one. */
export class OfficeCallError extends Error {
  constructor(
    readonly operation: string,
    readonly officeName: string,
    readonly code: number | null,
    message: string,
  ) {
    super(`${operation} failed: ${message}`);
    this.name = "OfficeCallError";
  }
}

export class UnsupportedByHostError extends Error {
  constructor(readonly feature: string) {
    super(`This version of Outlook does not support ${feature}`);
    this.name = "UnsupportedByHostError";
  }
}

type OfficeNamespace = typeof Office;
type AnyItem = NonNullable<Office.Mailbox["item"]>;

/** Wraps a callback-style Office API into a promise that rejects on `failed`. */
function officeCall<T>(
  office: OfficeNamespace,
  operation: string,
  invoke: (callback: (result: Office.AsyncResult<T>) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      invoke((result) => {
        if (result.status === office.AsyncResultStatus.Failed) {
          const error = result.error;
          reject(new OfficeCallError(operation, error?.name ?? "Unknown", error?.code ?? null, error?.message ?? ""));
        } else {
          resolve(result.value);
        }
      });
    } catch (error) {
      reject(error);
    }
  });
}

const toPerson = (details: Office.EmailAddressDetails | null | undefined): MailPerson | null =>
  details?.emailAddress ? { email: details.emailAddress, name: details.displayName || details.emailAddress } : null;

const toPeople = (list: readonly Office.EmailAddressDetails[] | null | undefined): MailPerson[] =>
  (Array.isArray(list) ? list : []).map(toPerson).filter((p): p is MailPerson => p !== null);

/** Waits for Office to initialise; the task pane must not render before this (Office.onReady). */
export async function whenOfficeReady(
  office: OfficeNamespace,
): Promise<{ host: string | null; platform: string | null }> {
  const info = await office.onReady();
  return { host: info.host ? String(info.host) : null, platform: info.platform ? String(info.platform) : null };
}

/** From inside an Office dialog: hand `message` to the task pane that opened it. */
export function sendToDialogParent(office: OfficeNamespace, message: string): void {
  office.context.ui.messageParent(message);
}

export function createOfficeHost(office: OfficeNamespace): OfficeHost {
  const mailbox = office.context.mailbox;
  const supports = (set: string, version: string) => {
    const requirements = office.context.requirements;
    return typeof requirements?.isSetSupported === "function" && requirements.isSetSupported(set, version);
  };
  const capabilities: HostCapabilities = {
    mailbox13: supports("Mailbox", "1.3"),
    mailbox15: supports("Mailbox", "1.5"),
    nestedAppAuth: supports("NestedAppAuth", "1.1"),
    dialogApi: supports("DialogApi", "1.1"),
  };

  const item = (): AnyItem | null => mailbox.item ?? null;
  const composeAppointment = (operation: string): Office.AppointmentCompose => {
    const current = item();
    if (
      !current ||
      current.itemType !== office.MailboxEnums.ItemType.Appointment ||
      typeof current.subject === "string"
    ) {
      throw new UnsupportedByHostError(`${operation} outside a meeting being organised`);
    }
    return current as Office.AppointmentCompose;
  };

  const restIdOf = (ewsId: string): string | null => {
    if (!capabilities.mailbox13 || typeof mailbox.convertToRestId !== "function") return null;
    return mailbox.convertToRestId(ewsId, office.MailboxEnums.RestVersion.v2_0);
  };

  return {
    capabilities,
    user: {
      email: mailbox.userProfile.emailAddress,
      displayName: mailbox.userProfile.displayName,
      timeZone: mailbox.userProfile.timeZone ?? null,
    },
    displayLanguage: office.context.displayLanguage || null,

    currentItem() {
      const current = item();
      if (!current) return null;
      const itemType = current.itemType === office.MailboxEnums.ItemType.Appointment ? "appointment" : "message";
      // In read mode `subject` is a string; in compose it is a Subject object with getAsync.
      const readMode = typeof current.subject === "string";
      const ewsItemId = readMode ? (current.itemId ?? null) : null;
      if (!readMode) {
        return {
          itemType,
          mode: "compose",
          ewsItemId,
          restItemId: null,
          internetMessageId: null,
          subject: "",
          from: null,
          to: [],
          cc: [],
          attachments: [],
        };
      }
      const read = current as Office.MessageRead & Office.AppointmentRead;
      return {
        itemType,
        mode: "read",
        ewsItemId,
        restItemId: ewsItemId ? restIdOf(ewsItemId) : null,
        internetMessageId: read.internetMessageId ?? null,
        subject: read.subject ?? "",
        from: toPerson(itemType === "message" ? read.from : read.organizer),
        to: toPeople(itemType === "message" ? read.to : read.requiredAttendees),
        cc: toPeople(itemType === "message" ? read.cc : read.optionalAttendees),
        attachments: (read.attachments ?? []).map((a) => ({ id: a.id, name: a.name, size: a.size })),
      };
    },

    bodyText() {
      const current = item();
      if (!current) return Promise.reject(new UnsupportedByHostError("reading the body without an open item"));
      if (!capabilities.mailbox13) return Promise.reject(new UnsupportedByHostError("reading the message body"));
      return officeCall<string>(office, "body.getAsync", (cb) => current.body.getAsync(office.CoercionType.Text, cb));
    },

    async onItemChanged(handler) {
      if (!capabilities.mailbox15 || typeof mailbox.addHandlerAsync !== "function") return () => {};
      await officeCall<void>(office, "addHandlerAsync", (cb) =>
        mailbox.addHandlerAsync(office.EventType.ItemChanged, handler, cb),
      );
      return () => {
        mailbox.removeHandlerAsync(office.EventType.ItemChanged);
      };
    },

    userIdentityToken() {
      return officeCall<string>(office, "getUserIdentityTokenAsync", (cb) => mailbox.getUserIdentityTokenAsync(cb));
    },

    exchangeCallbackToken() {
      // The Mailbox 1.1 form (callback first) returns an EWS callback token; the options form needs 1.5.
      return officeCall<string>(office, "getCallbackTokenAsync", (cb) => mailbox.getCallbackTokenAsync(cb));
    },

    async meetingDetails() {
      const appointment = composeAppointment("reading the meeting");
      const [subject, start, end] = await Promise.all([
        officeCall<string>(office, "subject.getAsync", (cb) => appointment.subject.getAsync(cb)),
        officeCall<Date>(office, "start.getAsync", (cb) => appointment.start.getAsync(cb)),
        officeCall<Date>(office, "end.getAsync", (cb) => appointment.end.getAsync(cb)),
      ]);
      return { subject, start, end };
    },

    async requiredAttendees() {
      const appointment = composeAppointment("reading attendees");
      const list = await officeCall<Office.EmailAddressDetails[]>(office, "requiredAttendees.getAsync", (cb) =>
        appointment.requiredAttendees.getAsync(cb),
      );
      return toPeople(list);
    },

    async addRequiredAttendees(people) {
      const appointment = composeAppointment("adding attendees");
      await officeCall<void>(office, "requiredAttendees.addAsync", (cb) =>
        appointment.requiredAttendees.addAsync(
          people.map((p) => ({ emailAddress: p.email, displayName: p.name })),
          cb,
        ),
      );
    },

    async dialogMessage(url, size) {
      if (!capabilities.dialogApi) throw new UnsupportedByHostError("sign-in dialogs");
      const dialog = await officeCall<Office.Dialog>(office, "displayDialogAsync", (cb) =>
        office.context.ui.displayDialogAsync(
          url,
          { width: size.width, height: size.height, displayInIframe: false },
          cb,
        ),
      );
      return new Promise<string>((resolve, reject) => {
        dialog.addEventHandler(office.EventType.DialogMessageReceived, (event) => {
          dialog.close();
          if ("message" in event) resolve(event.message);
          else reject(new OfficeCallError("dialog", "DialogError", event.error, "dialog closed"));
        });
        dialog.addEventHandler(office.EventType.DialogEventReceived, (event) => {
          reject(
            new OfficeCallError("dialog", "DialogClosed", "error" in event ? event.error : null, "the dialog closed"),
          );
        });
      });
    },
  };
}
