/**
 * Contacts: ews-javascript-api `Contact` objects ⇄ the XSD-shaped `EwsContact` of `mapping/ews` ⇄ canonical.
 * Only the dictionary keys the mapping owns are written; an owned key that the new value lacks is removed with a
 * DeleteItemField (the library's InternalRemove), other keys (CarPhone, Pager, …) stay untouched.
 */
import {
  BasePropertySet,
  BodyType,
  ContactSchema,
  DateTime,
  EmailAddress,
  EmailAddressKey,
  Contact as EwsJsContact,
  type ExchangeService,
  ItemSchema,
  MessageBody,
  PhoneNumberKey,
  PhysicalAddressEntry,
  PhysicalAddressKey,
  PropertySet,
  StringList,
  WellKnownFolderName,
} from "ews-javascript-api";
import {
  contactFromEws,
  contactToEws,
  EWS_ADDRESS_SLOTS,
  EWS_EMAIL_SLOTS,
  EWS_PHONE_SLOTS,
} from "../../mapping/ews/contact.js";
import type { EwsContact, EwsPhysicalAddress } from "../../mapping/ews/wire.js";
import type { Contact } from "../../model/index.js";
import { escapedWire } from "./escape.js";
import { optionalProperty, out } from "./properties.js";
import type { ItemCodec } from "./record-port.js";

type TextElement =
  | "DisplayName"
  | "GivenName"
  | "MiddleName"
  | "Surname"
  | "CompanyName"
  | "JobTitle"
  | "Department"
  | "AssistantName"
  | "BusinessHomePage";
const TEXT_ELEMENTS: TextElement[] = [
  "DisplayName",
  "GivenName",
  "MiddleName",
  "Surname",
  "CompanyName",
  "JobTitle",
  "Department",
  "AssistantName",
  "BusinessHomePage",
];
const ADDRESS_PARTS = ["Street", "City", "State", "CountryOrRegion", "PostalCode"] as const;
/**
 * What GetItem loads: exactly what wireFromItem reads (and applyWire compares before an update). The first-class set
 * would have the library turn every other element of a contact into objects (its dates through moment) for nothing.
 */
const PROPERTIES = [
  ...TEXT_ELEMENTS.map((element) => ContactSchema[element]),
  ContactSchema.EmailAddresses,
  ContactSchema.PhoneNumbers,
  ContactSchema.PhysicalAddresses,
  ContactSchema.Birthday,
  ItemSchema.Body,
  ItemSchema.Categories,
];

function wireFromItem(item: EwsJsContact): EwsContact {
  const wire: EwsContact = {};
  for (const element of TEXT_ELEMENTS) {
    const value = item[element];
    if (value) wire[element] = value;
  }
  wire.EmailAddresses = EWS_EMAIL_SLOTS.flatMap(([key]) => {
    const found = out<EmailAddress>();
    return item.EmailAddresses.TryGetValue(EmailAddressKey[key], found) && found.outValue?.Address
      ? [{ Key: key, value: found.outValue.Address }]
      : [];
  });
  wire.PhoneNumbers = EWS_PHONE_SLOTS.flatMap(([key]) => {
    const found = out<string>();
    return item.PhoneNumbers.TryGetValue(PhoneNumberKey[key], found) && found.outValue
      ? [{ Key: key, value: found.outValue }]
      : [];
  });
  wire.PhysicalAddresses = EWS_ADDRESS_SLOTS.flatMap(([key]) => {
    const found = out<PhysicalAddressEntry>();
    if (!item.PhysicalAddresses.TryGetValue(PhysicalAddressKey[key], found) || !found.outValue) return [];
    const entry: EwsPhysicalAddress = { Key: key };
    for (const part of ADDRESS_PARTS) if (found.outValue[part]) entry[part] = found.outValue[part];
    return [entry];
  });
  // The library throws when reading a requested property the server did not return (an unset Birthday).
  const birthday = optionalProperty<DateTime>(item, ContactSchema.Birthday);
  if (birthday) wire.Birthday = birthday.ToISOString();
  if (item.Body?.Text)
    wire.Body = { BodyType: item.Body.BodyType === BodyType.HTML ? "HTML" : "Text", value: item.Body.Text };
  wire.Categories = item.Categories?.GetEnumerator() ?? [];
  return wire;
}

function applyWire(item: EwsJsContact, wire: EwsContact, isNew: boolean): void {
  for (const element of TEXT_ELEMENTS) {
    const value = wire[element];
    if (value !== undefined) item[element] = value;
    else if (!isNew && item[element]) item[element] = null as never;
  }
  for (const [key] of EWS_EMAIL_SLOTS) {
    const value = wire.EmailAddresses?.find((e) => e.Key === key)?.value;
    if (value) item.EmailAddresses._setItem(EmailAddressKey[key], new EmailAddress(value));
    else if (!isNew && item.EmailAddresses.Contains(EmailAddressKey[key]))
      item.EmailAddresses.InternalRemove(EmailAddressKey[key]);
  }
  for (const [key] of EWS_PHONE_SLOTS) {
    const value = wire.PhoneNumbers?.find((e) => e.Key === key)?.value;
    if (value) item.PhoneNumbers._setItem(PhoneNumberKey[key], value);
    else if (!isNew && item.PhoneNumbers.Contains(PhoneNumberKey[key]))
      item.PhoneNumbers.InternalRemove(PhoneNumberKey[key]);
  }
  for (const [key] of EWS_ADDRESS_SLOTS) {
    const value = wire.PhysicalAddresses?.find((e) => e.Key === key);
    if (value) {
      const entry = new PhysicalAddressEntry();
      for (const part of ADDRESS_PARTS) if (value[part]) entry[part] = value[part] as string;
      item.PhysicalAddresses._setItem(PhysicalAddressKey[key], entry);
    } else if (!isNew && item.PhysicalAddresses.Contains(PhysicalAddressKey[key])) {
      item.PhysicalAddresses.InternalRemove(PhysicalAddressKey[key]);
    }
  }
  if (wire.Birthday) item.Birthday = new DateTime(Date.parse(wire.Birthday));
  else if (!isNew && optionalProperty(item, ContactSchema.Birthday)) item.Birthday = null as never;
  item.Body = new MessageBody(BodyType.Text, wire.Body?.value ?? "");
  item.Categories = new StringList(wire.Categories ?? []);
}

export const contactCodec: ItemCodec<Contact, EwsJsContact> = {
  module: "contacts",
  folder: WellKnownFolderName.Contacts,
  propertySet: () => new PropertySet(BasePropertySet.IdOnly, PROPERTIES),
  create: (service: ExchangeService) => new EwsJsContact(service),
  apply(item, value) {
    applyWire(item, escapedWire(contactToEws(value)), item.IsNew);
  },
  read: (item) => contactFromEws(wireFromItem(item)),
  stored: (value) => contactFromEws(contactToEws(value)),
};
