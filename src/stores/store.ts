/** An Amazon store (one seller account in one marketplace) and the rules for registering one. */
import { DEFAULT_LWA_ENDPOINT, DEFAULT_SP_API_ENDPOINTS, MARKETPLACES, REGIONS, type Region } from './marketplaces.ts';
import { quoted } from '../text.ts';
import { httpUrl } from '../url.ts';

export type StoreStatus = 'active' | 'inactive';

/**
 * Whether Amazon accepts the store's refresh token: rejected (LWA said invalid_grant) and
 * disconnected (by an admin, credentials deleted) stop the store's calls to Amazon until it is
 * reconnected; its orders stay, view-only.
 */
export type StoreAuthorization = 'authorized' | 'rejected' | 'disconnected';

export interface AmazonStore {
  id: number;
  name: string;
  region: Region;
  marketplaceId: string;
  sellerId: string;
  spApiEndpoint: string;
  lwaEndpoint: string;
  clientId: string;
  status: StoreStatus;
  authorization: StoreAuthorization;
  /** What happened to the authorization (Amazon's answer with its request id), or null. */
  authorizationNote: string | null;
  /** Orders created before this instant never import and are not shown. */
  integratedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** The LWA secrets of a call for the store; decrypted only when a call to Amazon needs them. */
export interface StoreCredentials {
  clientSecret: string;
  refreshToken: string;
}

export interface NewStoreInput {
  name: string;
  region: string;
  marketplaceId: string;
  sellerId: string;
  /** The LWA client the refresh token was issued to; default the module's application. */
  clientId?: string;
  /** Only for a client other than the module's application (a store self-authorized for its own app). */
  clientSecret?: string;
  refreshToken: string;
  spApiEndpoint?: string;
  lwaEndpoint?: string;
  integratedAt?: Date;
}

export interface StoreInputError {
  field: keyof NewStoreInput;
  message: string;
}

const NAME_LIMIT = 255;

/**
 * The longest text a store keeps, in JavaScript string length (never fewer than the characters a
 * column counts): its columns' sizes, and for the secrets (encrypted together into one text
 * column) far more than any LWA client secret or refresh token needs.
 */
export const STORE_TEXT_LIMITS = { clientId: 255, spApiEndpoint: 512, lwaEndpoint: 512, clientSecret: 2048, refreshToken: 2048 } as const;

/** The integration times both databases store exactly (MySQL reads a year before 1000 as it likes, after 9999 not at all). */
const INTEGRATED_AT_RANGE = { from: Date.UTC(1970, 0, 1), to: Date.UTC(10000, 0, 1) - 1 };

/** Amazon's seller id (merchant token) as Seller Central shows it. */
export const SELLER_ID = /^[A-Z0-9]{5,32}$/;
export const SELLER_ID_RULE = 'must be the merchant token from Seller Central (5-32 capital letters and digits)';

/** A store's name: what the admin sees on its card and pages. */
export function validateStoreName(name: string): StoreInputError[] {
  if (name.trim() === '') return [{ field: 'name', message: 'is required' }];
  if (name.trim().length > NAME_LIMIT) return [{ field: 'name', message: `must be at most ${NAME_LIMIT} characters` }];
  return [];
}

/** Every problem with a new store's input, so the admin can fix them in one go. */
export function validateNewStore(input: NewStoreInput): StoreInputError[] {
  const errors: StoreInputError[] = typeof input.name === 'string' ? validateStoreName(input.name) : [{ field: 'name', message: 'is required' }];
  const required = ['region', 'marketplaceId', 'sellerId', 'refreshToken'] as const;
  for (const field of required) {
    if (typeof input[field] !== 'string' || input[field].trim() === '') errors.push({ field, message: 'is required' });
  }
  for (const [field, max] of Object.entries(STORE_TEXT_LIMITS) as Array<[keyof typeof STORE_TEXT_LIMITS, number]>) {
    const value = input[field];
    if (typeof value === 'string' && value.length > max) errors.push({ field, message: `must be at most ${max} characters` });
  }
  if (input.region && !(REGIONS as readonly string[]).includes(input.region)) {
    errors.push({ field: 'region', message: `must be one of ${REGIONS.join(', ')}` });
  }
  const marketplace = MARKETPLACES.get(input.marketplaceId);
  if (input.marketplaceId && !marketplace) {
    errors.push({ field: 'marketplaceId', message: `${quoted(input.marketplaceId)} is not an Amazon marketplace id (e.g. ATVPDKIKX0DER for the US)` });
  } else if (marketplace && input.region && marketplace.region !== input.region) {
    errors.push({ field: 'marketplaceId', message: `${input.marketplaceId} (${marketplace.country}) is served by region ${marketplace.region}, not ${input.region}` });
  }
  if (input.sellerId && !SELLER_ID.test(input.sellerId)) errors.push({ field: 'sellerId', message: SELLER_ID_RULE });
  for (const field of ['clientId', 'clientSecret'] as const) {
    if (input[field] !== undefined && input[field].trim() === '') errors.push({ field, message: 'must not be empty when given' });
  }
  for (const field of ['spApiEndpoint', 'lwaEndpoint'] as const) {
    const value = input[field];
    if (value !== undefined && value.length <= STORE_TEXT_LIMITS[field] && httpUrl(value) === null) errors.push({ field, message: `${quoted(value)} is not an http(s) URL` });
  }
  const integratedAt = input.integratedAt?.getTime();
  if (integratedAt !== undefined && Number.isNaN(integratedAt)) {
    errors.push({ field: 'integratedAt', message: 'is not a valid date' });
  } else if (integratedAt !== undefined && (integratedAt < INTEGRATED_AT_RANGE.from || integratedAt > INTEGRATED_AT_RANGE.to)) {
    errors.push({ field: 'integratedAt', message: 'must be between 1970-01-01 and 9999-12-31 (UTC)' });
  }
  return errors;
}

/** Why the store cannot call Amazon now (its authorization), or null when it can. */
export function authorizationProblem(store: Pick<AmazonStore, 'authorization' | 'authorizationNote'>): string | null {
  switch (store.authorization) {
    case 'authorized':
      return null;
    case 'rejected':
      return store.authorizationNote ?? "Amazon no longer accepts this store's authorization: reconnect the store";
    case 'disconnected':
      return 'the store is disconnected from Amazon: reconnect it to sync and send to Amazon again';
  }
}

export function defaultEndpoints(region: Region): { spApiEndpoint: string; lwaEndpoint: string } {
  return { spApiEndpoint: DEFAULT_SP_API_ENDPOINTS[region], lwaEndpoint: DEFAULT_LWA_ENDPOINT };
}
