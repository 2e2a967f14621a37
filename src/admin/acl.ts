/** The module's ACL resources as module.json declares them. */
export const Acl = {
  ordersView: 'Amazon_SalesChannel::orders_view',
  ordersManage: 'Amazon_SalesChannel::orders_manage',
  orderSettings: 'Amazon_SalesChannel::order_settings',
  storesManage: 'Amazon_SalesChannel::stores_manage',
} as const;

/** The settings section id (module.json "settings"). */
export const ORDER_SETTINGS_SECTION = 'amazon_order_settings';
