/** Catalog pages: the product list and the create/edit form with inline field errors. */
import type { FieldError, ProductInput } from '../../catalog.ts';
import { page, type HostRoute, type Outcome, type RequestContext } from '../context.ts';
import { HttpError } from '../http.ts';
import type { Router } from '../router.ts';

interface FormValues {
  sku: string;
  name: string;
  qty: string;
  enabled: boolean;
  manageStock: boolean;
}

function fromForm(form: URLSearchParams): { values: FormValues; input: ProductInput } {
  const values: FormValues = {
    sku: form.get('sku') ?? '',
    name: form.get('name') ?? '',
    qty: (form.get('qty') ?? '').trim(),
    enabled: form.get('enabled') === '1',
    manageStock: form.get('manage_stock') === '1',
  };
  // Anything but plain digits is not a quantity; validation reports it on the field.
  const qty = /^\d{1,10}$/.test(values.qty) ? Number(values.qty) : Number.NaN;
  return { values, input: { sku: values.sku.trim(), name: values.name.trim(), qty, enabled: values.enabled, manageStock: values.manageStock } };
}

function form(context: RequestContext, title: string, action: string, values: FormValues, errors: FieldError[] = [], status?: number): Outcome {
  const fieldErrors = Object.fromEntries(errors.map((e) => [e.field, e.message]));
  return page(context, title, 'product-form', { action, values, errors, fieldErrors }, status);
}

export function registerCatalogPages(router: Router<HostRoute>): void {
  router.add('GET', '/catalog', {
    acl: 'Host::catalog',
    csrf: 'session',
    handle: async (context) => {
      const reserved = new Map<string, number>();
      for (const r of await context.host.services.stock.listActive()) reserved.set(r.sku, (reserved.get(r.sku) ?? 0) + r.qty);
      const products = (await context.host.services.catalog.list()).map((p) => ({ ...p, salable: p.qty - (reserved.get(p.sku) ?? 0) }));
      return page(context, 'Catalog', 'catalog-list', { products });
    },
  });

  router.add('GET', '/catalog/new', {
    acl: 'Host::catalog',
    csrf: 'session',
    handle: async (context) => form(context, 'New product', '/admin/catalog/new', { sku: '', name: '', qty: '0', enabled: true, manageStock: true }),
  });

  router.add('POST', '/catalog/new', {
    acl: 'Host::catalog',
    csrf: 'session',
    handle: async (context) => {
      const { values, input } = fromForm(context.form);
      const result = await context.host.services.catalog.create(input);
      if (!result.ok) return form(context, 'New product', '/admin/catalog/new', values, result.errors, 422);
      context.host.logger.info('Product created', { sku: input.sku, by: context.user?.username });
      return { kind: 'redirect', location: '/admin/catalog', flash: `Product ${input.sku} saved.` };
    },
  });

  router.add('GET', '/catalog/:id/edit', {
    acl: 'Host::catalog',
    csrf: 'session',
    handle: async (context) => {
      const product = await context.host.services.catalog.get(context.params.id!);
      if (!product) throw new HttpError(404, 'This product does not exist.');
      const values = { sku: product.sku, name: product.name, qty: String(product.qty), enabled: product.enabled, manageStock: product.manageStock };
      return form(context, `Edit ${product.sku}`, `/admin/catalog/${product.id}/edit`, values);
    },
  });

  router.add('POST', '/catalog/:id/edit', {
    acl: 'Host::catalog',
    csrf: 'session',
    handle: async (context) => {
      const id = context.params.id!;
      if (!(await context.host.services.catalog.get(id))) throw new HttpError(404, 'This product does not exist.');
      const { values, input } = fromForm(context.form);
      const result = await context.host.services.catalog.update(id, input);
      if (!result.ok) return form(context, `Edit ${values.sku}`, `/admin/catalog/${id}/edit`, values, result.errors, 422);
      context.host.logger.info('Product updated', { sku: input.sku, by: context.user?.username });
      return { kind: 'redirect', location: '/admin/catalog', flash: `Product ${input.sku} saved.` };
    },
  });
}
