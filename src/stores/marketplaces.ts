/** Amazon marketplaces: id, region (which SP-API endpoint serves it), currency and Seller Central. */
export type Region = 'na' | 'eu' | 'fe';
export const REGIONS: readonly Region[] = ['na', 'eu', 'fe'];

export interface Marketplace {
  id: string;
  country: string;
  region: Region;
  currencyCode: string;
  sellerCentral: string;
}

const list: Marketplace[] = [
  { id: 'ATVPDKIKX0DER', country: 'US', region: 'na', currencyCode: 'USD', sellerCentral: 'https://sellercentral.amazon.com' },
  { id: 'A2EUQ1WTGCTBG2', country: 'CA', region: 'na', currencyCode: 'CAD', sellerCentral: 'https://sellercentral.amazon.ca' },
  { id: 'A1AM78C64UM0Y8', country: 'MX', region: 'na', currencyCode: 'MXN', sellerCentral: 'https://sellercentral.amazon.com.mx' },
  { id: 'A2Q3Y263D00KWC', country: 'BR', region: 'na', currencyCode: 'BRL', sellerCentral: 'https://sellercentral.amazon.com.br' },
  { id: 'A28R8C7NBKEWEA', country: 'IE', region: 'eu', currencyCode: 'EUR', sellerCentral: 'https://sellercentral.amazon.ie' },
  { id: 'A1RKKUPIHCS9HS', country: 'ES', region: 'eu', currencyCode: 'EUR', sellerCentral: 'https://sellercentral.amazon.es' },
  { id: 'A1F83G8C2ARO7P', country: 'GB', region: 'eu', currencyCode: 'GBP', sellerCentral: 'https://sellercentral.amazon.co.uk' },
  { id: 'A13V1IB3VIYZZH', country: 'FR', region: 'eu', currencyCode: 'EUR', sellerCentral: 'https://sellercentral.amazon.fr' },
  { id: 'AMEN7PMS3EDWL', country: 'BE', region: 'eu', currencyCode: 'EUR', sellerCentral: 'https://sellercentral.amazon.com.be' },
  { id: 'A1805IZSGTT6HS', country: 'NL', region: 'eu', currencyCode: 'EUR', sellerCentral: 'https://sellercentral.amazon.nl' },
  { id: 'A1PA6795UKMFR9', country: 'DE', region: 'eu', currencyCode: 'EUR', sellerCentral: 'https://sellercentral.amazon.de' },
  { id: 'APJ6JRA9NG5V4', country: 'IT', region: 'eu', currencyCode: 'EUR', sellerCentral: 'https://sellercentral.amazon.it' },
  { id: 'A2NODRKZP88ZB9', country: 'SE', region: 'eu', currencyCode: 'SEK', sellerCentral: 'https://sellercentral.amazon.se' },
  { id: 'AE08WJ6YKNBMC', country: 'ZA', region: 'eu', currencyCode: 'ZAR', sellerCentral: 'https://sellercentral.amazon.co.za' },
  { id: 'A1C3SOZRARQ6R3', country: 'PL', region: 'eu', currencyCode: 'PLN', sellerCentral: 'https://sellercentral.amazon.pl' },
  { id: 'ARBP9OOSHTCHU', country: 'EG', region: 'eu', currencyCode: 'EGP', sellerCentral: 'https://sellercentral.amazon.eg' },
  { id: 'A33AVAJ2PDY3EV', country: 'TR', region: 'eu', currencyCode: 'TRY', sellerCentral: 'https://sellercentral.amazon.com.tr' },
  { id: 'A17E79C6D8DWNP', country: 'SA', region: 'eu', currencyCode: 'SAR', sellerCentral: 'https://sellercentral.amazon.sa' },
  { id: 'A2VIGQ35RCS4UG', country: 'AE', region: 'eu', currencyCode: 'AED', sellerCentral: 'https://sellercentral.amazon.ae' },
  { id: 'A21TJRUUN4KGV', country: 'IN', region: 'eu', currencyCode: 'INR', sellerCentral: 'https://sellercentral.amazon.in' },
  { id: 'A19VAU5U5O7RUS', country: 'SG', region: 'fe', currencyCode: 'SGD', sellerCentral: 'https://sellercentral.amazon.sg' },
  { id: 'A39IBJ37TRP1C6', country: 'AU', region: 'fe', currencyCode: 'AUD', sellerCentral: 'https://sellercentral.amazon.com.au' },
  { id: 'A1VC38T7YXB528', country: 'JP', region: 'fe', currencyCode: 'JPY', sellerCentral: 'https://sellercentral.amazon.co.jp' },
];

export const MARKETPLACES: ReadonlyMap<string, Marketplace> = new Map(list.map((m) => [m.id, m]));

export const DEFAULT_SP_API_ENDPOINTS: Record<Region, string> = {
  na: 'https://sellingpartnerapi-na.amazon.com',
  eu: 'https://sellingpartnerapi-eu.amazon.com',
  fe: 'https://sellingpartnerapi-fe.amazon.com',
};

export const DEFAULT_LWA_ENDPOINT = 'https://api.amazon.com/auth/o2/token';

/** Seller Central of the marketplace (the US one for an id we do not know). */
export function sellerCentralUrl(marketplaceId: string): string {
  return MARKETPLACES.get(marketplaceId)?.sellerCentral ?? 'https://sellercentral.amazon.com';
}

/** Where an admin opens an Amazon order in Seller Central (the view-only link of disabled import). */
export function sellerCentralOrderUrl(marketplaceId: string, amazonOrderId: string): string {
  return `${sellerCentralUrl(marketplaceId)}/orders-v3/order/${encodeURIComponent(amazonOrderId)}`;
}

/** The order list in Seller Central. */
export function sellerCentralOrdersUrl(marketplaceId: string): string {
  return `${sellerCentralUrl(marketplaceId)}/orders-v3`;
}
