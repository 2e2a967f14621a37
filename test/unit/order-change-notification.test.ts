/**
 * The module's ORDER_CHANGE schema against Amazon's model (OrderChangeNotification.json): the
 * model's own example reads as expected, and every property the module declares is in the model
 * at the same place, with the model's type and required exactly when the model requires it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { NotificationFormatError, OrderChangeNotification, readOrderChange } from '../../src/notifications/order-change-notification.ts';
import { modelsDir } from '../support/sp-api-contract.ts';

interface JsonSchemaNode {
  type?: string | string[];
  const?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  examples?: unknown[];
}

const model = JSON.parse(fs.readFileSync(path.join(modelsDir(), 'OrderChangeNotification.json'), 'utf8')) as JsonSchemaNode;

/** Each declared property's path, type and required-ness, in the module's schema or the model. */
function declared(mine: JsonSchemaNode, theirs: JsonSchemaNode, at: string, found: string[]): void {
  for (const [key, child] of Object.entries(mine.properties ?? {})) {
    const where = at === '' ? key : `${at}.${key}`;
    const modelChild = theirs.properties?.[key];
    expect(modelChild, `${where} is in the model`).to.not.equal(undefined);
    const type = child.const !== undefined ? typeof child.const : child.type;
    const modelTypes = [modelChild!.type].flat();
    expect(modelTypes, `${where}: the model's type`).to.include(type);
    expect((mine.required ?? []).includes(key), `${where} required as in the model`).to.equal((theirs.required ?? []).includes(key));
    found.push(where);
    if (child.properties) declared(child, modelChild!, where, found);
  }
}

describe('ORDER_CHANGE notification against the model', () => {
  it('declares only what the model has, typed and required as the model says', () => {
    const found: string[] = [];
    declared(OrderChangeNotification as unknown as JsonSchemaNode, model, '', found);
    expect(found).to.include.members(['Payload.OrderChangeNotification.AmazonOrderId', 'NotificationMetadata.NotificationId', 'Payload.OrderChangeNotification.Summary.MarketplaceId']);
  });

  it("reads the model's example", () => {
    const [example] = model.examples as Array<Record<string, unknown>>;
    expect(readOrderChange(JSON.stringify(example))).to.deep.equal({
      notificationId: 'd0e9e693-c3ad-4373-979f-ed4ec98dd746',
      sellerId: 'A3TH9S8BH6GOGM',
      marketplaceId: 'ATVPDKIKX0DER',
      amazonOrderId: '903-8868176-2219830',
      changeType: 'BuyerRequestedChange',
      publishedAt: new Date('2020-07-13T19:42:04.284Z'),
    });
  });

  it('says what is wrong with a message that is not one', () => {
    const [example] = model.examples as Array<Record<string, unknown>>;
    const problem = (body: string) => {
      try {
        readOrderChange(body);
      } catch (error) {
        expect(error).to.be.instanceOf(NotificationFormatError);
        return (error as Error).message;
      }
      throw new Error('read without an error');
    };
    expect(problem('')).to.equal('the message is not JSON (0 characters)');
    expect(problem('[]')).to.match(/^not an ORDER_CHANGE notification: \(body\): expected object/);
    expect(problem(JSON.stringify({ ...example, NotificationMetadata: { ...(example.NotificationMetadata as object), PublishTime: 'soon' } }))).to.match(
      /^not an ORDER_CHANGE notification: NotificationMetadata\.PublishTime: expected .*, got "soon"$/,
    );
  });
});
