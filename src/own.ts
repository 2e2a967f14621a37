/**
 * Looking up text that came from outside (a query parameter, an Amazon field) in an object
 * literal: only the object's own keys count, so "toString" or "__proto__" find nothing instead of
 * Object.prototype's members.
 */
export function own<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
