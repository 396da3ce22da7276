/**
 * Reading ews-javascript-api properties safely: the library throws when a requested property was not returned
 * (an unset DueDate, Birthday, …) instead of giving null, so optional ones go through TryGetProperty.
 */
import type { IOutParam, PropertyDefinition, ServiceObject } from "ews-javascript-api";

/** The library's out-parameter; `outValue` stays undefined when nothing was found. */
export function out<V>(): IOutParam<V | undefined> & IOutParam<V> {
  return { outValue: undefined } as IOutParam<V | undefined> & IOutParam<V>;
}

export function optionalProperty<V>(item: ServiceObject, definition: PropertyDefinition): V | undefined {
  const found = out<V>();
  return item.TryGetProperty(definition, found) && found.outValue !== null ? found.outValue : undefined;
}
