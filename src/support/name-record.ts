// Records keyed by names that come from a person or a file (profiles, vault items, key ids).
// "__proto__" and "constructor" are fine names there, so such a record has no prototype: nothing
// is inherited (`record.constructor` is undefined unless stored) and assigning `record.__proto__`
// stores an entry instead of replacing the prototype.

/** A record without a prototype, holding a copy of `from`'s own entries. */
export function nameRecord<T>(from?: Record<string, T>): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  if (from) for (const name of Object.keys(from)) record[name] = from[name]!;
  return record;
}
