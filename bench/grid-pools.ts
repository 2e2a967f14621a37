/**
 * The values the bulk orders vary over: 3,300 buyer names (first x last, many with accents, so the
 * folded search matters) and 5,000 grand totals (mostly $10-$150, a long tail to $600).
 */
import { fromE4 } from '../src/money.ts';

const FIRST = [
  'Anna', 'Ana', 'Åsa', 'Björn', 'Chloé', 'Conor', 'Dmitri', 'Élodie', 'Emma', 'Fatima', 'François', 'Giulia', 'Grace', 'Hannah',
  'Hiroshi', 'Inés', 'Ivan', 'Jack', 'James', 'Jana', 'Jörg', 'José', 'Karin', 'Léa', 'Liam', 'Lucía', 'Magnús', 'Marie', 'María',
  'Mark', 'Martin', 'Mateo', 'Mia', 'Mohammed', 'Noah', 'Nuno', 'Olivia', 'Oskar', 'Paweł', 'Priya', 'Raúl', 'René', 'Ryan', 'Sanjay',
  'Sara', 'Seán', 'Sophie', 'Søren', 'Thomas', 'Tomás', 'Valentina', 'Wei', 'Yusuf', 'Zoë', 'Zoltán',
];
const LAST = [
  'Andersson', 'Bauer', 'Brown', 'Castañeda', 'Chen', 'Ciobanu', 'Dubois', 'Dvořák', 'Eriksen', 'Fernández', 'Fischer', 'García',
  'Gonçalves', 'Gómez', 'Haddad', 'Hansen', 'Horváth', 'Ito', 'Jankowski', 'Jensen', 'Johnson', 'Kim', 'Kowalski', 'Krüger',
  'Lambert', 'Larsen', 'López', 'MacLeod', 'Møller', 'Müller', 'Nagy', 'Nguyen', 'Novák', "O'Brien", 'Okafor', 'Østergaard', 'Patel',
  'Pérez', 'Petrov', 'Popescu', 'Quintero', 'Rossi', 'Sánchez', 'Schäfer', 'Schmidt', 'Silva', 'Smith', 'Sørensen', 'Svoboda',
  'Szabó', 'Tanaka', 'Thompson', 'Türk', 'Varga', 'Wagner', 'Weiß', 'Williams', 'Wójcik', 'Yılmaz', 'Zieliński',
];

export const BUYER_NAMES: readonly string[] = FIRST.flatMap((first) => LAST.map((last) => `${first} ${last}`));

/** Searches over the pool: "mar" matches about one name in ten; "Zoe Dvorak" one in 3,300 (typed without its accents). */
export const BUYER_SEARCH = { common: 'mar', rare: 'Zoe Dvorak' } as const;

/** A small deterministic generator (mulberry32), so every run generates the same data. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Grand totals in whole cents, as the decimal string and the e4 integer the module stores. */
export function grandTotals(count = 5000): Array<{ amount: string; e4: bigint }> {
  const next = random(20261126);
  return Array.from({ length: count }, () => {
    // Log-normal around $40: exp of a normal (Box-Muller), capped to $5-$600.
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const cents = Math.round(Math.min(600, Math.max(5, 40 * Math.exp(0.8 * normal))) * 100);
    const e4 = BigInt(cents) * 100n;
    return { amount: fromE4(e4), e4 };
  });
}
