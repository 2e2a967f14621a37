/**
 * Test doubles and sample data for the SP-API client tests: a logger that keeps every line, a
 * recorder and a limiter that only remember calls, a client wired to a FakeAmazon, and orders that
 * satisfy the v2026-01-01 model.
 */
import type { LoggerPort } from '../../src/host/ports.ts';
import type { ApiErrorEntry, ApiErrorRecorder } from '../../src/amazon/error-log.ts';
import type { RateLimiter } from '../../src/amazon/rate-limiter.ts';
import type { AccessTokenSource } from '../../src/amazon/lwa.ts';
import { createSpApiClient, type AmazonStoreConnection, type SpApiClient, type SpApiClientDependencies } from '../../src/amazon/client.ts';
import type { Order, OrderItem } from '../../src/amazon/models.ts';
import { FakeClock, fakeSleep, type RecordingSleep } from './fake-time.ts';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  context?: Record<string, unknown>;
}

export class CapturingLogger implements LoggerPort {
  readonly lines: LogLine[] = [];
  debug(message: string, context?: Record<string, unknown>) {
    this.lines.push({ level: 'debug', message, context });
  }
  info(message: string, context?: Record<string, unknown>) {
    this.lines.push({ level: 'info', message, context });
  }
  warn(message: string, context?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', message, context });
  }
  error(message: string, context?: Record<string, unknown>) {
    this.lines.push({ level: 'error', message, context });
  }
  /** Everything logged, as one string, to search for leaks. */
  text(): string {
    return this.lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.context ?? {})}`).join('\n');
  }
}

export class MemoryRecorder implements ApiErrorRecorder {
  readonly entries: ApiErrorEntry[] = [];
  async record(entry: ApiErrorEntry): Promise<void> {
    this.entries.push(entry);
  }
}

/** A limiter that never waits; remembers what it was asked. */
export class RecordingLimiter implements RateLimiter {
  readonly acquired: string[] = [];
  readonly drained: string[] = [];
  readonly observed: Array<{ key: string; rate: number }> = [];
  async acquire(key: string): Promise<{ waitedMs: number }> {
    this.acquired.push(key);
    return { waitedMs: 0 };
  }
  async observeRate(key: string, rate: number): Promise<void> {
    this.observed.push({ key, rate });
  }
  async drain(key: string): Promise<void> {
    this.drained.push(key);
  }
}

export class StaticTokens implements AccessTokenSource {
  readonly invalidated: string[] = [];
  constructor(public token = 'Atza|test-access-token') {}
  async getAccessToken(): Promise<string> {
    return this.token;
  }
  invalidate(token: string): void {
    this.invalidated.push(token);
  }
}

export const SECRET = 'amzn1.oa2-cs.v1.SUPER-SECRET-CLIENT-SECRET';
export const REFRESH_TOKEN = 'Atzr|REFRESH-TOKEN-NEVER-LOG-ME';

export function testStore(baseUrl: string, over: Partial<AmazonStoreConnection> = {}): AmazonStoreConnection {
  return {
    storeId: 7,
    name: 'Test US store',
    region: 'na',
    sellerId: 'A1SELLER',
    endpoint: baseUrl,
    lwaEndpoint: `${baseUrl}/auth/o2/token`,
    credentials: { clientId: 'amzn1.application-oa2-client.test', clientSecret: SECRET, refreshToken: REFRESH_TOKEN },
    ...over,
  };
}

export interface TestClient {
  client: SpApiClient;
  clock: FakeClock;
  logger: CapturingLogger;
  recorder: MemoryRecorder;
  limiter: RecordingLimiter;
  sleep: RecordingSleep;
  tokens: StaticTokens;
}

/** A client against `baseUrl` with recording doubles; pass `tokens: undefined` in `deps` to use real LWA. */
export function testClient(baseUrl: string, deps: Partial<SpApiClientDependencies> = {}, store: Partial<AmazonStoreConnection> = {}): TestClient {
  const clock = new FakeClock();
  const logger = new CapturingLogger();
  const recorder = new MemoryRecorder();
  const limiter = new RecordingLimiter();
  const sleep = fakeSleep();
  const tokens = new StaticTokens();
  const client = createSpApiClient(testStore(baseUrl, store), {
    clock,
    logger,
    recorder,
    limiter,
    sleep,
    tokens,
    random: () => 0.5,
    ...deps,
  });
  return { client, clock, logger, recorder, limiter, sleep, tokens };
}

export function orderItem(over: Partial<OrderItem> = {}): OrderItem {
  return {
    orderItemId: '12345678901234',
    quantityOrdered: 2,
    product: {
      asin: 'B0TESTASIN',
      title: 'Blue <Widget> & "Co"',
      sellerSku: 'SKU-1',
      condition: { conditionType: 'NEW' },
      price: { unitPrice: { amount: '10.01', currencyCode: 'USD' } },
    },
    proceeds: {
      proceedsTotal: { amount: '21.52', currencyCode: 'USD' },
      breakdowns: [
        { type: 'ITEM', subtotal: { amount: '20.02', currencyCode: 'USD' } },
        { type: 'SHIPPING', subtotal: { amount: '3.00', currencyCode: 'USD' } },
        { type: 'TAX', subtotal: { amount: '1.50', currencyCode: 'USD' }, detailedBreakdowns: [{ subtype: 'ITEM', value: { amount: '1.50', currencyCode: 'USD' } }] },
        { type: 'DISCOUNT', subtotal: { amount: '-3.00', currencyCode: 'USD' } },
      ],
    },
    promotion: { breakdowns: [{ promotionId: 'PROMO-1' }] },
    fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: 2 },
    tax: { taxCollections: [{ model: 'MARKETPLACE_FACILITATOR', responsibleParty: 'Amazon Services, Inc.' }] },
    ...over,
  };
}

export function order(orderId = '111-0000001-0000001', over: Partial<Order> = {}): Order {
  return {
    orderId,
    createdTime: '2026-11-25T08:00:00Z',
    lastUpdatedTime: '2026-11-25T09:30:00.123Z',
    salesChannel: { channelName: 'AMAZON', marketplaceId: 'ATVPDKIKX0DER', marketplaceName: 'Amazon.com' },
    buyer: { buyerName: 'Jane Doe', buyerEmail: 'jane@marketplace.amazon.com' },
    recipient: {
      deliveryAddress: {
        name: 'Jane Doe',
        addressLine1: '1 Main St',
        city: 'Seattle',
        stateOrRegion: 'WA',
        postalCode: '98101',
        countryCode: 'US',
        phone: '+1 206 555 0100',
        addressType: 'RESIDENTIAL',
      },
    },
    proceeds: { grandTotal: { amount: '21.52', currencyCode: 'USD' } },
    fulfillment: { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT', fulfillmentServiceLevel: 'STANDARD' },
    orderItems: [orderItem()],
    ...over,
  };
}

/** A feed processing report as Amazon writes them: 3 messages, 2 failed. */
export const SAMPLE_REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header>
    <DocumentVersion>1.02</DocumentVersion>
    <MerchantIdentifier>A1SELLER</MerchantIdentifier>
  </Header>
  <MessageType>ProcessingReport</MessageType>
  <Message>
    <MessageID>1</MessageID>
    <ProcessingReport>
      <DocumentTransactionID>50123456789</DocumentTransactionID>
      <StatusCode>Complete</StatusCode>
      <ProcessingSummary>
        <MessagesProcessed>3</MessagesProcessed>
        <MessagesSuccessful>1</MessagesSuccessful>
        <MessagesWithError>2</MessagesWithError>
        <MessagesWithWarning>0</MessagesWithWarning>
      </ProcessingSummary>
      <!-- one result per failed message -->
      <Result>
        <MessageID>2</MessageID>
        <ResultCode>Error</ResultCode>
        <ResultMessageCode>18028</ResultMessageCode>
        <ResultDescription>The data you submitted is incomplete or invalid &amp; was &lt;rejected&gt;.</ResultDescription>
        <AdditionalInfo>
          <AmazonOrderID>111-2</AmazonOrderID>
        </AdditionalInfo>
      </Result>
      <Result>
        <MessageID>3</MessageID>
        <ResultCode>Error</ResultCode>
        <ResultMessageCode>25</ResultMessageCode>
        <ResultDescription><![CDATA[Order 111-3 <cannot> be cancelled]]></ResultDescription>
      </Result>
    </ProcessingReport>
  </Message>
</AmazonEnvelope>
`;
