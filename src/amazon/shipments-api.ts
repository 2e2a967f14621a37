/**
 * Orders API v0 confirmShipment: the one v0 operation the module uses (not deprecated). Tells
 * Amazon that a package left with a carrier: which items, how many, carrier and tracking number.
 * The request is checked against the model's rules before it is sent; Amazon answers 204.
 */
import { AmazonRequestError } from './errors.ts';
import type { SpApiHttp } from './http.ts';
import type { ConfirmShipmentRequest, PackageDetail } from './models.ts';
import { isDateTime } from './formats.ts';
import { isBlank as blank } from './validate.ts';

/** ConfirmShipmentRequest, with `shipDate` also accepted as a Date. */
export interface ConfirmShipmentInput extends Omit<ConfirmShipmentRequest, 'packageDetail'> {
  packageDetail: Omit<PackageDetail, 'shipDate'> & { shipDate: Date | string };
}

const OPERATION = 'confirmShipment';

function fail(message: string, field: string): never {
  throw new AmazonRequestError(`confirmShipment: ${message}`, OPERATION, field);
}

/** Checks the request against the model (and its documented rules) and returns the wire body. */
export function buildConfirmShipmentRequest(input: ConfirmShipmentInput): ConfirmShipmentRequest {
  if (blank(input.marketplaceId)) fail('marketplaceId is required', 'marketplaceId');
  const detail = input.packageDetail;
  if (typeof detail !== 'object' || detail === null) fail('packageDetail is required', 'packageDetail');
  // PackageReferenceId: "Only positive numeric values are supported."
  if (typeof detail.packageReferenceId !== 'string' || !/^[1-9]\d*$/.test(detail.packageReferenceId)) {
    fail(`packageDetail.packageReferenceId must be a positive number as a string, got ${JSON.stringify(detail.packageReferenceId)}`, 'packageDetail.packageReferenceId');
  }
  if (blank(detail.carrierCode)) fail('packageDetail.carrierCode is required', 'packageDetail.carrierCode');
  if (detail.carrierCode.trim().toLowerCase() === 'other' && blank(detail.carrierName)) {
    fail('packageDetail.carrierName is required when carrierCode is "Other"', 'packageDetail.carrierName');
  }
  if (blank(detail.trackingNumber)) fail('packageDetail.trackingNumber is required', 'packageDetail.trackingNumber');

  let shipDate: string;
  if (detail.shipDate instanceof Date) {
    if (Number.isNaN(detail.shipDate.getTime())) fail('packageDetail.shipDate is an invalid Date', 'packageDetail.shipDate');
    shipDate = detail.shipDate.toISOString();
  } else if (typeof detail.shipDate === 'string' && isDateTime(detail.shipDate)) {
    shipDate = detail.shipDate;
  } else {
    fail(`packageDetail.shipDate must be an ISO 8601 date-time, got ${JSON.stringify(detail.shipDate)}`, 'packageDetail.shipDate');
  }

  if (!Array.isArray(detail.orderItems) || detail.orderItems.length === 0) fail('packageDetail.orderItems needs at least one item', 'packageDetail.orderItems');
  detail.orderItems.forEach((item, index) => {
    const field = `packageDetail.orderItems[${index}]`;
    if (blank(item.orderItemId)) fail(`${field}.orderItemId is required`, `${field}.orderItemId`);
    if (!Number.isSafeInteger(item.quantity) || item.quantity < 1) fail(`${field}.quantity must be a positive integer, got ${JSON.stringify(item.quantity)}`, `${field}.quantity`);
  });
  if (input.codCollectionMethod !== undefined && input.codCollectionMethod !== 'DirectPayment') {
    fail('codCollectionMethod can only be "DirectPayment"', 'codCollectionMethod');
  }

  // Built field by field: nothing the caller added beyond the model goes on the wire.
  const packageDetail: PackageDetail = {
    packageReferenceId: detail.packageReferenceId,
    carrierCode: detail.carrierCode,
    ...(detail.carrierName === undefined ? {} : { carrierName: detail.carrierName }),
    ...(detail.shippingMethod === undefined ? {} : { shippingMethod: detail.shippingMethod }),
    trackingNumber: detail.trackingNumber,
    shipDate,
    ...(detail.shipFromSupplySourceId === undefined ? {} : { shipFromSupplySourceId: detail.shipFromSupplySourceId }),
    orderItems: detail.orderItems.map((item) => ({
      orderItemId: item.orderItemId,
      quantity: item.quantity,
      ...(item.transparencyCodes === undefined ? {} : { transparencyCodes: [...item.transparencyCodes] }),
    })),
  };
  return {
    marketplaceId: input.marketplaceId,
    packageDetail,
    ...(input.codCollectionMethod === undefined ? {} : { codCollectionMethod: input.codCollectionMethod }),
  };
}

export class ShipmentsApi {
  constructor(private readonly http: SpApiHttp) {}

  /** POST /orders/v0/orders/{orderId}/shipmentConfirmation; resolves when Amazon accepted it (204). */
  async confirmShipment(orderId: string, input: ConfirmShipmentInput): Promise<{ requestId: string | null }> {
    if (blank(orderId)) fail('an order id is required', 'orderId');
    const body = buildConfirmShipmentRequest(input);
    const response = await this.http.send({
      operation: OPERATION,
      method: 'POST',
      path: `/orders/v0/orders/${encodeURIComponent(orderId)}/shipmentConfirmation`,
      body,
    });
    return { requestId: response.requestId };
  }
}
