/**
 * Orders and revenue per day over the last 30 days (UTC days), for the store dashboard. Canceled
 * and Error orders are left out, as in the original. Read from the daily totals the repository
 * keeps (src/orders/daily-totals.ts); revenue is summed as integer ten-thousandths, never floats.
 * The chart is an SVG drawn by a template from the numbers computed here (no pre-rendered markup).
 */
import type { Knex } from 'knex';
import { readDailyTotals, utcDay } from '../orders/daily-totals.ts';
import { GRID_STATUSES, type GridStatus } from '../orders/rules.ts';
import { fromE4 } from '../money.ts';
import { moneyText } from './format.ts';

export const CHART_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
const COUNTED_STATUSES = GRID_STATUSES.filter((s): s is Exclude<GridStatus, 'Canceled' | 'Error'> => s !== 'Canceled' && s !== 'Error');

export interface DailyTotals {
  /** Day starts (UTC midnight), oldest first. */
  days: Date[];
  /** Orders per day, every currency. */
  orders: number[];
  /** Revenue per day and currency, in ten-thousandths. */
  revenue: Map<string, bigint[]>;
}

export async function dailyTotals(db: Knex, storeId: number, now: Date, dayCount = CHART_DAYS): Promise<DailyTotals> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const days = Array.from({ length: dayCount }, (_, i) => new Date(today - (dayCount - 1 - i) * DAY_MS));
  const index = new Map(days.map((day, i) => [utcDay(day), i]));
  const rows = await readDailyTotals(db, storeId, utcDay(days[0]), utcDay(days[dayCount - 1]), COUNTED_STATUSES);
  const orders = days.map(() => 0);
  const revenue = new Map<string, bigint[]>();
  for (const row of rows) {
    const i = index.get(row.day)!;
    orders[i] += row.orders;
    if (row.currencyCode === null) continue;
    if (!revenue.has(row.currencyCode)) revenue.set(row.currencyCode, days.map(() => 0n));
    revenue.get(row.currencyCode)![i] += row.revenueE4;
  }
  return { days, orders, revenue };
}

export interface ChartView {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  bars: Array<{ x: number; y: number; width: number; height: number; label: string }>;
  /** SVG polyline points, "x,y x,y ...". */
  revenueLine: string;
  revenueDots: Array<{ x: number; y: number }>;
  /** Axis texts: the orders scale on the left, the revenue scale on the right, days below. */
  labels: Array<{ x: number; y: number; text: string; anchor: 'start' | 'middle' | 'end' }>;
  currency: string | null;
  totalOrders: number;
  totalRevenue: string;
  /** "Also 3 orders in EUR and JPY, not in the revenue line." */
  otherCurrencies: string | null;
  summary: string;
  table: Array<{ day: string; orders: number; revenue: string }>;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** `preferred` is the marketplace currency; the busiest currency is used when it has no orders. */
export function chartView(totals: DailyTotals, preferred: string | null): ChartView {
  const width = 960;
  const height = 220;
  const plot = { left: 40, top: 14, right: width - 84, bottom: height - 26 };
  const plotWidth = plot.right - plot.left;
  const plotHeight = plot.bottom - plot.top;
  const slot = plotWidth / totals.days.length;

  const sums = [...totals.revenue.entries()].map(([code, perDay]) => ({ code, total: perDay.reduce((a, b) => a + b, 0n), perDay }));
  const main = sums.find((s) => s.code === preferred && s.total > 0n) ?? [...sums].sort((a, b) => (b.total > a.total ? 1 : b.total < a.total ? -1 : 0))[0];
  const currency = main?.code ?? preferred;
  const perDay = main?.perDay ?? totals.days.map(() => 0n);
  const maxOrders = Math.max(1, ...totals.orders);
  const maxRevenue = perDay.reduce((a, b) => (b > a ? b : a), 0n);
  const revenueY = (value: bigint) => round(plot.bottom - (maxRevenue === 0n ? 0 : Number((value * 10000n) / maxRevenue) / 10000) * plotHeight);
  const money = (e4: bigint) => (currency ? moneyText(fromE4(e4), currency) : fromE4(e4));

  const bars = totals.days.map((day, i) => {
    const h = round((totals.orders[i] / maxOrders) * plotHeight);
    return { x: round(plot.left + i * slot + slot * 0.2), y: round(plot.bottom - h), width: round(slot * 0.6), height: h, label: `${day.toISOString().slice(0, 10)}: ${totals.orders[i]} orders` };
  });
  const dots = perDay.map((value, i) => ({ x: round(plot.left + i * slot + slot / 2), y: revenueY(value) }));
  const others = sums.filter((s) => s.code !== currency && s.total > 0n).map((s) => s.code);
  const totalOrders = totals.orders.reduce((a, b) => a + b, 0);
  const totalRevenue = money(perDay.reduce((a, b) => a + b, 0n));
  return {
    width,
    height,
    plot,
    bars,
    revenueLine: dots.map((d) => `${d.x},${d.y}`).join(' '),
    revenueDots: dots,
    labels: [
      { x: plot.left - 6, y: plot.top + 4, text: String(maxOrders), anchor: 'end' as const },
      { x: plot.left - 6, y: plot.bottom, text: '0', anchor: 'end' as const },
      { x: plot.right + 6, y: plot.top + 4, text: money(maxRevenue), anchor: 'start' as const },
      { x: plot.right + 6, y: plot.bottom, text: money(0n), anchor: 'start' as const },
      ...totals.days
        .map((day, i) => ({ i, text: day.toISOString().slice(5, 10) }))
        // Weekly ticks counted back from today, so the last label is today's.
        .filter(({ i }) => (totals.days.length - 1 - i) % 7 === 0)
        .map(({ i, text }) => ({ x: round(plot.left + i * slot + slot / 2), y: plot.bottom + 16, text, anchor: 'middle' as const })),
    ],
    currency,
    totalOrders,
    totalRevenue,
    otherCurrencies: others.length > 0 ? `Orders in ${others.join(', ')} are counted as orders but not in the ${currency} revenue line.` : null,
    summary: `${totalOrders} orders and ${totalRevenue} revenue in the last ${totals.days.length} days (Canceled and Error orders excluded).`,
    table: totals.days.map((day, i) => ({ day: day.toISOString().slice(0, 10), orders: totals.orders[i], revenue: money(perDay[i]) })),
  };
}
