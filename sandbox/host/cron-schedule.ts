/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), evaluated in UTC:
 * `*`, numbers, lists, ranges and steps (`*\/5`, `1-10/2`, `5/15` = from 5 to the end every 15).
 * Day-of-week 0 and 7 are Sunday. As in Vixie cron, when both day fields are restricted a day
 * matches if either does.
 */
export class CronSyntaxError extends Error {
  override name = 'CronSyntaxError';
}

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

function parseField(text: string, field: (typeof FIELDS)[number]): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw new CronSyntaxError(`${field.name} "${part}" is not *, a number, a range or a step`);
    const [, , startText, endText, stepText] = match;
    const step = stepText === undefined ? 1 : Number(stepText);
    let start: number = field.min;
    let end: number = field.max;
    if (startText !== undefined) {
      start = Number(startText);
      // "5/15" means from 5 to the end of the range; a plain "5" is just 5.
      end = endText !== undefined ? Number(endText) : stepText !== undefined ? field.max : start;
    }
    if (step < 1) throw new CronSyntaxError(`${field.name} step must be at least 1`);
    if (start < field.min || end > field.max || start > end) {
      throw new CronSyntaxError(`${field.name} "${part}" is outside ${field.min}-${field.max}`);
    }
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return values;
}

export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new CronSyntaxError(`"${expression}" must have 5 fields (minute hour day-of-month month day-of-week)`);
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = parts.map((p, i) => parseField(p, FIELDS[i]!));
  // Sunday is both 0 and 7.
  if (daysOfWeek!.has(7)) daysOfWeek!.add(0);
  return {
    minutes: minutes!,
    hours: hours!,
    daysOfMonth: daysOfMonth!,
    months: months!,
    daysOfWeek: daysOfWeek!,
    dayOfMonthRestricted: !parts[2]!.startsWith('*'),
    dayOfWeekRestricted: !parts[4]!.startsWith('*'),
  };
}

/** Whether the schedule fires in the UTC minute containing `date`. */
export function cronMatches(schedule: CronSchedule, date: Date): boolean {
  if (!schedule.minutes.has(date.getUTCMinutes())) return false;
  if (!schedule.hours.has(date.getUTCHours())) return false;
  if (!schedule.months.has(date.getUTCMonth() + 1)) return false;
  const dom = schedule.daysOfMonth.has(date.getUTCDate());
  const dow = schedule.daysOfWeek.has(date.getUTCDay());
  if (schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted) return dom || dow;
  return dom && dow;
}
