/**
 * When a five-field cron schedule (module.json) fires next, in UTC: numbers, `*`, lists, ranges
 * and steps, as `isCronExpression` accepts them. Used to tell the admin when the next sync runs.
 */
const FIELD_RANGES: Array<[number, number]> = [
  [0, 59], // minute
  [0, 23], // hour
  [1, 31], // day of month
  [1, 12], // month
  [0, 6], // day of week (0 = Sunday; 7 is accepted as Sunday too)
];

function expand(field: string, [low, high]: [number, number]): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let [from, to] = [low, high];
    if (range !== '*') {
      const [a, b] = range.split('-').map(Number);
      from = a;
      to = b === undefined ? (stepText === undefined ? a : high) : b;
    }
    for (let value = from; value <= to; value += step) values.add(value === 7 && high === 6 ? 0 : value);
  }
  return values;
}

/** The first minute strictly after `after` that the schedule matches, or null within a year. */
export function nextCronRun(expression: string, after: Date): Date | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const [minutes, hours, days, months, weekdays] = fields.map((field, i) => expand(field, FIELD_RANGES[i]));
  // Cron's rule: when both day fields are restricted, either one matching is enough.
  const dayOr = fields[2] !== '*' && fields[4] !== '*';
  const time = new Date(after.getTime());
  time.setUTCSeconds(0, 0);
  time.setUTCMinutes(time.getUTCMinutes() + 1);
  for (let i = 0; i < 366 * 24 * 60; i++) {
    const dayOk = dayOr
      ? days.has(time.getUTCDate()) || weekdays.has(time.getUTCDay())
      : days.has(time.getUTCDate()) && weekdays.has(time.getUTCDay());
    if (months.has(time.getUTCMonth() + 1) && dayOk && hours.has(time.getUTCHours()) && minutes.has(time.getUTCMinutes())) return time;
    time.setUTCMinutes(time.getUTCMinutes() + 1);
  }
  return null;
}
