/**
 * Checks a CreateOrderRequest before anything is read or written, the way Magento's quote
 * validation would: the first problem becomes a typed rejection naming the field.
 */
import { CREATE_ORDER_TEXT_LIMITS as LIMITS, ORDER_CHARGE_KINDS, type CreateOrderRequest, type OrderRejection } from '../../../src/host/ports.ts';
import { isDecimalString, toUnits } from '../money.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.trim() !== '' && value.length <= max;

function validation(field: string, message: string): OrderRejection {
  return { code: 'validation', field, message };
}

export function validateCreateRequest(request: CreateOrderRequest): OrderRejection | null {
  if (!isText(request.idempotencyKey, 191)) return validation('idempotencyKey', 'idempotencyKey must be 1..191 characters');
  if (!isText(request.channel, 64)) return validation('channel', 'channel must be 1..64 characters');
  if (!isText(request.externalReference, 64)) return validation('externalReference', 'externalReference must be 1..64 characters');
  if (request.storeView !== null && !isText(request.storeView, 64)) return validation('storeView', 'storeView must be a store view code or null');
  if (request.orderNumber !== null && !(isText(request.orderNumber, 64) && /^[\x21-\x7e]+$/.test(request.orderNumber))) {
    return validation('orderNumber', 'orderNumber must be 1..64 printable characters without spaces, or null');
  }
  if (request.state !== 'processing' && request.state !== 'complete') return validation('state', 'state must be "processing" or "complete"');
  if (request.status !== null && !isText(request.status, 32)) return validation('status', 'status must be a status code or null');
  if (typeof request.currencyCode !== 'string' || !/^[A-Z]{3}$/.test(request.currencyCode)) {
    return validation('currencyCode', 'currencyCode must be three capital letters, e.g. USD');
  }
  for (const field of ['shippingAmount', 'shippingTaxAmount', 'shippingDiscountAmount', 'grandTotal'] as const) {
    if (!isDecimalString(request[field])) return validation(field, `${field} must be a decimal string with at most 4 decimals, e.g. "11.01"`);
  }
  if (toUnits(request.shippingDiscountAmount) > toUnits(request.shippingAmount)) {
    return validation('shippingDiscountAmount', 'shippingDiscountAmount cannot exceed shippingAmount');
  }
  if (!isText(request.shippingMethod, LIMITS.shippingMethod)) return validation('shippingMethod', `shippingMethod must be 1..${LIMITS.shippingMethod} characters`);
  if (!isText(request.paymentMethod, 255)) return validation('paymentMethod', 'paymentMethod must be 1..255 characters');
  if (typeof request.deductStock !== 'boolean') return validation('deductStock', 'deductStock must be true or false');
  if (request.reservationKey !== null && !isText(request.reservationKey, 191)) {
    return validation('reservationKey', 'reservationKey must be 1..191 characters or null');
  }
  // The host never e-mails channel buyers (the channel does); asking it to would be silently ignored.
  if (request.notifyCustomer !== false) return validation('notifyCustomer', 'notifyCustomer must be false: the host sends no mail for channel orders');
  if (!Array.isArray(request.lines) || request.lines.length === 0) return validation('lines', 'An order needs at least one line');
  for (const [index, line] of request.lines.entries()) {
    const at = `lines[${index}]`;
    if (!isText(line.productId, 32)) return validation(`${at}.productId`, 'productId is required');
    if (!isText(line.sku, 255)) return validation(`${at}.sku`, 'sku must be 1..255 characters');
    if (!isText(line.name, LIMITS.lineName)) return validation(`${at}.name`, `name must be 1..${LIMITS.lineName} characters`);
    if (!Number.isSafeInteger(line.qty) || line.qty <= 0) return validation(`${at}.qty`, 'qty must be a whole number above 0');
    for (const field of ['unitPrice', 'taxAmount', 'discountAmount'] as const) {
      if (!isDecimalString(line[field])) return validation(`${at}.${field}`, `${field} must be a decimal string with at most 4 decimals`);
    }
    if (toUnits(line.discountAmount) > toUnits(line.unitPrice) * BigInt(line.qty)) {
      return validation(`${at}.discountAmount`, 'discountAmount cannot exceed unitPrice x qty');
    }
    if (line.externalReference !== undefined && !isText(line.externalReference, 64)) {
      return validation(`${at}.externalReference`, 'externalReference must be 1..64 characters when given');
    }
  }
  const charges = request.charges ?? [];
  if (!Array.isArray(charges) || charges.length > 20) return validation('charges', 'charges must be a list of at most 20 charges');
  for (const [index, charge] of charges.entries()) {
    const at = `charges[${index}]`;
    if (!(ORDER_CHARGE_KINDS as readonly string[]).includes(charge?.kind)) {
      return validation(`${at}.kind`, `kind must be one of ${ORDER_CHARGE_KINDS.join(', ')}`);
    }
    if (!isText(charge.label, LIMITS.chargeLabel)) return validation(`${at}.label`, `label must be 1..${LIMITS.chargeLabel} characters`);
    for (const field of ['amount', 'taxAmount', 'discountAmount'] as const) {
      if (!isDecimalString(charge[field])) return validation(`${at}.${field}`, `${field} must be a decimal string with at most 4 decimals`);
    }
    if (toUnits(charge.discountAmount) > toUnits(charge.amount)) return validation(`${at}.discountAmount`, 'discountAmount cannot exceed amount');
  }

  const customer = request.customer;
  if (!customer || (customer.mode !== 'guest' && customer.mode !== 'account')) {
    return { code: 'customer_invalid', field: 'customer.mode', message: 'customer.mode must be "guest" or "account"' };
  }
  if (typeof customer.email !== 'string' || customer.email.length > LIMITS.email || !EMAIL.test(customer.email)) {
    // The address is not repeated: a rejection's message ends up in the channel's order notes.
    return { code: 'customer_invalid', field: 'customer.email', message: 'customer.email is not a valid email address' };
  }
  for (const field of ['firstName', 'lastName'] as const) {
    const value = customer[field];
    if (typeof value !== 'string' || value.length > LIMITS.personName || (customer.mode === 'account' && value.trim() === '')) {
      return { code: 'customer_invalid', field: `customer.${field}`, message: `customer.${field} is required for a customer account` };
    }
  }

  const address = request.shippingAddress;
  if (!address) return { code: 'address_invalid', field: 'shippingAddress', message: 'The order has no shipping address' };
  const missing: string[] = [];
  if (!isText(address.firstName, LIMITS.personName)) missing.push('firstName');
  if (!isText(address.lastName, LIMITS.personName)) missing.push('lastName');
  if (
    !Array.isArray(address.street) ||
    !address.street.some((l) => typeof l === 'string' && l.trim() !== '') ||
    address.street.join('\n').length > LIMITS.street
  ) {
    missing.push('street');
  }
  if (!isText(address.city, LIMITS.city)) missing.push('city');
  if (!isText(address.postalCode, LIMITS.postalCode)) missing.push('postalCode');
  if (typeof address.countryCode !== 'string' || !/^[A-Z]{2}$/.test(address.countryCode)) missing.push('countryCode');
  // The column holds 255: longer text would fail the insert (MySQL) instead of being refused.
  if (address.region !== null && (typeof address.region !== 'string' || address.region.length > LIMITS.region)) missing.push('region');
  if (typeof address.phone !== 'string' || address.phone.length > LIMITS.phone) missing.push('phone');
  if (missing.length > 0) {
    return {
      code: 'address_invalid',
      field: `shippingAddress.${missing[0]}`,
      message: `The shipping address is missing or has an invalid ${missing.join(', ')}`,
    };
  }
  return null;
}
