/**
 * Reading ews-javascript-api properties safely: the library throws when a requested property was not returned
 * (an unset DueDate, Birthday, …) instead of giving null, and its own TryGetProperty builds (but does not throw) a
 * ServiceObjectPropertyException for every absent one — an Error, so a captured stack trace per absent property
 * per item. Optional ones are therefore looked up in the item's property bag, which is what TryGetProperty consults
 * first (PropertyBag.GetPropertyValueOrException): present there means loaded or assigned, absent means unset.
 */
import type { IOutParam, PropertyDefinition, ServiceObject } from "ews-javascript-api";

/** The library's out-parameter; `outValue` stays undefined when nothing was found. */
export function out<V>(): IOutParam<V | undefined> & IOutParam<V> {
  return { outValue: undefined } as IOutParam<V | undefined> & IOutParam<V>;
}

/**
 * The part of the library's PropertyBag (public on every ServiceObject as `PropertyBag`, left out of its typings
 * as internal) that answers without building an exception. Server 2007 MeetingTimeZone is stored under
 * StartTimeZone by the library itself (MeetingTimeZonePropertyDefinition), so that lookup works in every version.
 */
interface PropertyBagLookup {
  TryGetValue(definition: PropertyDefinition, value: IOutParam<unknown>): boolean;
}

export function optionalProperty<V>(item: ServiceObject, definition: PropertyDefinition): V | undefined {
  const found = out<V>();
  const bag = (item as unknown as { PropertyBag: PropertyBagLookup }).PropertyBag;
  return bag.TryGetValue(definition, found) && found.outValue !== null ? found.outValue : undefined;
}
