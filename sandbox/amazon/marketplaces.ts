/**
 * The marketplaces the sandbox sells in, with what an order there looks like: currency, tax rate,
 * shipping fee, order id prefixes, and clearly fake buyers and addresses (placeholder names,
 * reserved phone numbers, example streets).
 */

export interface FakeAddress {
  addressLine1: string;
  addressLine2?: string;
  city: string;
  stateOrRegion: string;
  postalCode: string;
  countryCode: string;
  phone: string;
}

export interface Marketplace {
  id: string;
  name: string;
  countryCode: string;
  currency: string;
  /** Order ids start with one of these (3-7-7 format). */
  orderIdPrefixes: readonly string[];
  /** Tax added to items and shipping, in basis points (825 = 8.25 %). */
  taxBasisPoints: number;
  /** Shipping charged on a merchant-fulfilled order, decimal string in `currency`. */
  shippingFee: string;
  /** Default unit price for a SKU the demo catalog does not know. */
  defaultPrice: string;
  emailDomain: string;
  buyers: readonly string[];
  addresses: readonly FakeAddress[];
}

export const MARKETPLACES: readonly Marketplace[] = [
  {
    id: 'ATVPDKIKX0DER',
    name: 'Amazon.com',
    countryCode: 'US',
    currency: 'USD',
    orderIdPrefixes: ['111', '112', '113', '114'],
    taxBasisPoints: 825,
    shippingFee: '4.99',
    defaultPrice: '19.99',
    emailDomain: 'marketplace.amazon.com',
    buyers: ['John Q. Public', 'Jane Doe', 'Richard Roe', 'Joe Sixpack'],
    addresses: [
      { addressLine1: '123 Any Street', city: 'Anytown', stateOrRegion: 'WA', postalCode: '98101', countryCode: 'US', phone: '+1 206-555-0100' },
      { addressLine1: '456 Example Avenue', addressLine2: 'Apt 7', city: 'Springfield', stateOrRegion: 'IL', postalCode: '62701', countryCode: 'US', phone: '+1 217-555-0142' },
    ],
  },
  {
    id: 'A2EUQ1WTGCTBG2',
    name: 'Amazon.ca',
    countryCode: 'CA',
    currency: 'CAD',
    orderIdPrefixes: ['701', '702'],
    taxBasisPoints: 1300,
    shippingFee: '6.99',
    defaultPrice: '24.99',
    emailDomain: 'marketplace.amazon.ca',
    buyers: ['Jane Doe', 'John Doe'],
    addresses: [{ addressLine1: '100 Sample Street', city: 'Toronto', stateOrRegion: 'ON', postalCode: 'M5V 2T6', countryCode: 'CA', phone: '+1 416-555-0199' }],
  },
  {
    id: 'A1F83G8C2ARO7P',
    name: 'Amazon.co.uk',
    countryCode: 'GB',
    currency: 'GBP',
    orderIdPrefixes: ['202', '203', '204', '205', '206'],
    taxBasisPoints: 2000,
    shippingFee: '3.49',
    defaultPrice: '14.99',
    emailDomain: 'marketplace.amazon.co.uk',
    buyers: ['Joe Bloggs', 'Fred Nurk', 'A. N. Other'],
    addresses: [{ addressLine1: '1 Example Road', city: 'London', stateOrRegion: 'Greater London', postalCode: 'SW1A 1AA', countryCode: 'GB', phone: '+44 20 7946 0000' }],
  },
  {
    id: 'A1PA6795UKMFR9',
    name: 'Amazon.de',
    countryCode: 'DE',
    currency: 'EUR',
    orderIdPrefixes: ['302', '303', '304', '305', '306'],
    taxBasisPoints: 1900,
    shippingFee: '3.99',
    defaultPrice: '17.95',
    emailDomain: 'marketplace.amazon.de',
    buyers: ['Max Mustermann', 'Erika Mustermann', 'Otto Normalverbraucher'],
    addresses: [{ addressLine1: 'Musterstraße 1', city: 'Berlin', stateOrRegion: 'Berlin', postalCode: '10115', countryCode: 'DE', phone: '+49 30 12345678' }],
  },
  {
    id: 'A1VC38T7YXB528',
    name: 'Amazon.co.jp',
    countryCode: 'JP',
    currency: 'JPY',
    orderIdPrefixes: ['249', '250', '503'],
    taxBasisPoints: 1000,
    shippingFee: '410',
    defaultPrice: '2480',
    emailDomain: 'marketplace.amazon.co.jp',
    buyers: ['Taro Yamada', 'Hanako Yamada'],
    addresses: [{ addressLine1: '1-2-3 Chiyoda', city: 'Chiyoda-ku', stateOrRegion: 'Tokyo', postalCode: '100-0001', countryCode: 'JP', phone: '+81 3-0000-0000' }],
  },
];

export const DEFAULT_MARKETPLACE_ID = 'ATVPDKIKX0DER';

export function findMarketplace(id: string): Marketplace | undefined {
  return MARKETPLACES.find((m) => m.id === id);
}

/** A few demo listings; any other SKU gets a generated ASIN and title and the marketplace default price. */
export interface DemoListing {
  sku: string;
  asin: string;
  title: string;
  prices: Readonly<Record<string, string>>;
}

export const DEMO_CATALOG: readonly DemoListing[] = [
  { sku: 'MUG-BLUE-12OZ', asin: 'B0SANDBX01', title: 'Ceramic Mug, Blue, 12 oz', prices: { USD: '12.99', CAD: '16.99', GBP: '9.99', EUR: '11.49', JPY: '1480' } },
  { sku: 'TEE-BLK-M', asin: 'B0SANDBX02', title: 'Organic Cotton T-Shirt, Black, M', prices: { USD: '19.99', CAD: '25.99', GBP: '15.99', EUR: '17.95', JPY: '2480' } },
  { sku: 'LAMP-DESK-LED', asin: 'B0SANDBX03', title: 'LED Desk Lamp with USB-C Port', prices: { USD: '39.95', CAD: '52.99', GBP: '32.50', EUR: '36.90', JPY: '4980' } },
  { sku: 'BOTTLE-STEEL-750', asin: 'B0SANDBX04', title: 'Stainless Steel Water Bottle, 750 ml', prices: { USD: '24.50', CAD: '31.99', GBP: '19.99', EUR: '21.99', JPY: '2980' } },
  { sku: 'NOTEBOOK-A5-DOT', asin: 'B0SANDBX05', title: 'A5 Dotted Notebook, 160 pages', prices: { USD: '9.99', CAD: '12.99', GBP: '7.99', EUR: '8.95', JPY: '980' } },
];

export function findListing(sku: string): DemoListing | undefined {
  return DEMO_CATALOG.find((l) => l.sku === sku);
}

/** A stable made-up ASIN for an unknown SKU ("B0" + 8 characters derived from the SKU). */
export function asinForSku(sku: string): string {
  let h = 2166136261;
  for (const ch of sku) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `B0${h.toString(36).toUpperCase().padStart(8, '0').slice(-8)}`;
}
