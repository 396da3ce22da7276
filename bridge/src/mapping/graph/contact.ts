/**
 * Canonical contact ⇄ Graph contact. Graph keeps e-mail addresses and business/home phones as arrays (slots fill
 * from the first, see normaliseContact) and has no fax, "other" or assistant phone (FIELDS.md). Graph's `title` is
 * the salutation; the birthday is a DateTimeOffset written as UTC midnight and read as the nearest date.
 */
import { type Contact, normaliseContact, type PostalAddress } from "../../model/index.js";
import { nearestDate } from "../time.js";
import { compact, orNull, postalAddress, present } from "../values.js";
import type { GraphContact, GraphEmailAddress, GraphPhysicalAddress } from "./wire.js";

function addressFromGraph(address: GraphPhysicalAddress | null | undefined): PostalAddress | undefined {
  return address ? postalAddress({ ...address, country: address.countryOrRegion }) : undefined;
}

function addressToGraph(address: PostalAddress | undefined): GraphPhysicalAddress {
  return {
    street: orNull(address?.street),
    city: orNull(address?.city),
    state: orNull(address?.state),
    postalCode: orNull(address?.postalCode),
    countryOrRegion: orNull(address?.country),
  };
}

const presentAll = (values: (string | null | undefined)[] | null | undefined): string[] =>
  (values ?? []).flatMap((value) => present(value) ?? []);

const defined = (...values: (string | undefined)[]): string[] => values.filter((value) => value !== undefined);

export function contactFromGraph(graph: GraphContact): Contact {
  const emails = presentAll((graph.emailAddresses ?? []).map((entry) => entry.address));
  const businessPhones = presentAll(graph.businessPhones);
  const homePhones = presentAll(graph.homePhones);
  const birthday = present(graph.birthday);
  return normaliseContact(
    compact({
      salutation: present(graph.title),
      givenName: present(graph.givenName),
      middleName: present(graph.middleName),
      surname: present(graph.surname),
      displayName: present(graph.displayName),
      companyName: present(graph.companyName),
      jobTitle: present(graph.jobTitle),
      department: present(graph.department),
      assistantName: present(graph.assistantName),
      email1: emails[0],
      email2: emails[1],
      email3: emails[2],
      businessPhone: businessPhones[0],
      businessPhone2: businessPhones[1],
      homePhone: homePhones[0],
      homePhone2: homePhones[1],
      mobilePhone: present(graph.mobilePhone),
      businessAddress: addressFromGraph(graph.businessAddress),
      homeAddress: addressFromGraph(graph.homeAddress),
      otherAddress: addressFromGraph(graph.otherAddress),
      birthday: birthday === undefined ? undefined : nearestDate("birthday", birthday),
      website: present(graph.businessHomePage),
      notes: present(graph.personalNotes),
      categories: graph.categories ?? [],
    }),
  );
}

export function contactToGraph(contact: Contact): GraphContact {
  return {
    title: orNull(contact.salutation),
    givenName: orNull(contact.givenName),
    middleName: orNull(contact.middleName),
    surname: orNull(contact.surname),
    displayName: orNull(contact.displayName),
    companyName: orNull(contact.companyName),
    jobTitle: orNull(contact.jobTitle),
    department: orNull(contact.department),
    assistantName: orNull(contact.assistantName),
    emailAddresses: defined(contact.email1, contact.email2, contact.email3).map(
      (address): GraphEmailAddress => ({ address }),
    ),
    businessPhones: defined(contact.businessPhone, contact.businessPhone2),
    homePhones: defined(contact.homePhone, contact.homePhone2),
    mobilePhone: orNull(contact.mobilePhone),
    businessAddress: addressToGraph(contact.businessAddress),
    homeAddress: addressToGraph(contact.homeAddress),
    otherAddress: addressToGraph(contact.otherAddress),
    birthday: contact.birthday === undefined ? null : `${contact.birthday}T00:00:00Z`,
    businessHomePage: orNull(contact.website),
    personalNotes: orNull(contact.notes),
    categories: contact.categories,
  };
}
