import type { Check, Group, Level } from '../types.js'

/** Declares checks of one group with less repetition; the result is plain data. */
export function group(name: Group) {
  return (
    id: string,
    spec: { section: string; level: Level; rule: string; requires?: readonly string[] },
    run: Check['run'],
  ): Check => ({ id: `${name}.${id}`, group: name, requires: spec.requires ?? [], ...spec, run })
}

/** RFC 9110 IMF-fixdate, the only date form a sender may generate. */
export const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/

export const splitList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
