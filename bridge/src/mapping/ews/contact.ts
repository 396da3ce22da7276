/**
 * Canonical contact ⇄ EWS Contact. EWS keeps addresses, phones and e-mail in keyed dictionaries whose keys are the
 * canonical slots; only the keys listed here are ours — the connector updates them entry by entry (SetItemField /
 * DeleteItemField with IndexedFieldURI, ews.md §8) so entries we do not map (CarPhone, Pager, …) stay untouched.
 * EWS has no writable salutation (CompleteName is read-only).
 */
import { type Contact, normaliseContact, type PostalAddress } from "../../model/index.js";
import { bodyText } from "../text.js";
import { nearestDate } from "../time.js";
import { compact, postalAddress, present } from "../values.js";
import type { EwsAddressKey, EwsContact, EwsEmailKey, EwsPhoneKey, EwsPhysicalAddress } from "./wire.js";

type Slot<K> = [K, keyof Contact];

export const EWS_EMAIL_SLOTS: Slot<EwsEmailKey>[] = [
  ["EmailAddress1", "email1"],
  ["EmailAddress2", "email2"],
  ["EmailAddress3", "email3"],
];
export const EWS_PHONE_SLOTS: Slot<EwsPhoneKey>[] = [
  ["BusinessPhone", "businessPhone"],
  ["BusinessPhone2", "businessPhone2"],
  ["MobilePhone", "mobilePhone"],
  ["HomePhone", "homePhone"],
  ["HomePhone2", "homePhone2"],
  ["OtherTelephone", "otherPhone"],
  ["AssistantPhone", "assistantPhone"],
  ["BusinessFax", "businessFax"],
  ["HomeFax", "homeFax"],
];
export const EWS_ADDRESS_SLOTS: [EwsAddressKey, "businessAddress" | "homeAddress" | "otherAddress"][] = [
  ["Business", "businessAddress"],
  ["Home", "homeAddress"],
  ["Other", "otherAddress"],
];

const TEXT: [keyof EwsContact & string, keyof Contact][] = [
  ["DisplayName", "displayName"],
  ["GivenName", "givenName"],
  ["MiddleName", "middleName"],
  ["Surname", "surname"],
  ["CompanyName", "companyName"],
  ["JobTitle", "jobTitle"],
  ["Department", "department"],
  ["AssistantName", "assistantName"],
  ["BusinessHomePage", "website"],
];

function addressFromEws(entry: EwsPhysicalAddress | undefined): PostalAddress | undefined {
  if (entry === undefined) return undefined;
  const { Street, City, State, PostalCode, CountryOrRegion } = entry;
  return postalAddress({ street: Street, city: City, state: State, postalCode: PostalCode, country: CountryOrRegion });
}

export function contactFromEws(item: EwsContact): Contact {
  const contact: Record<string, unknown> = { categories: item.Categories ?? [] };
  for (const [element, field] of TEXT) contact[field] = present(item[element] as string | undefined);
  for (const [key, field] of EWS_EMAIL_SLOTS)
    contact[field] = present(item.EmailAddresses?.find((entry) => entry.Key === key)?.value);
  for (const [key, field] of EWS_PHONE_SLOTS)
    contact[field] = present(item.PhoneNumbers?.find((entry) => entry.Key === key)?.value);
  for (const [key, field] of EWS_ADDRESS_SLOTS)
    contact[field] = addressFromEws(item.PhysicalAddresses?.find((entry) => entry.Key === key));
  if (item.Birthday !== undefined) contact.birthday = nearestDate("Birthday", item.Birthday);
  contact.notes = bodyText(item.Body && { contentType: item.Body.BodyType, content: item.Body.value });
  return normaliseContact(compact(contact) as Contact);
}

function entries<K>(slots: Slot<K>[], contact: Contact): { Key: K; value: string }[] {
  return slots.flatMap(([Key, field]) => {
    const value = contact[field];
    return typeof value === "string" ? [{ Key, value }] : [];
  });
}

export function contactToEws(contact: Contact): EwsContact {
  const item = compact(Object.fromEntries(TEXT.map(([element, field]) => [element, contact[field]]))) as EwsContact;
  item.EmailAddresses = entries(EWS_EMAIL_SLOTS, contact);
  item.PhoneNumbers = entries(EWS_PHONE_SLOTS, contact);
  item.PhysicalAddresses = EWS_ADDRESS_SLOTS.flatMap(([Key, field]) => {
    const address = contact[field];
    if (address === undefined) return [];
    const { street, city, state, postalCode, country } = address;
    return [
      compact({ Key, Street: street, City: city, State: state, PostalCode: postalCode, CountryOrRegion: country }),
    ];
  });
  if (contact.birthday !== undefined) item.Birthday = `${contact.birthday}T00:00:00Z`;
  item.Body = { BodyType: "Text", value: contact.notes ?? "" };
  item.Categories = contact.categories;
  return item;
}
