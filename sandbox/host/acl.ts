/**
 * Who may do what in the admin. Resources are the host's own (Host::*) plus every loaded module's
 * ACL tree from its manifest. Role `admin` holds every known resource; role `staff` only the
 * host's dashboard, catalog and orders, none of a module's.
 */
import { aclIds, type AclNode } from '../../src/host/manifest.ts';

export const HOST_ACL: AclNode[] = [
  {
    id: 'Host::admin',
    title: 'Admin',
    children: [
      { id: 'Host::dashboard', title: 'Dashboard' },
      { id: 'Host::catalog', title: 'Catalog' },
      { id: 'Host::orders', title: 'Orders' },
      { id: 'Host::settings', title: 'Settings' },
    ],
  },
];

export const ROLES = ['admin', 'staff'] as const;
export type Role = (typeof ROLES)[number];

const STAFF_RESOURCES = new Set(['Host::admin', 'Host::dashboard', 'Host::catalog', 'Host::orders']);

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export class Acl {
  private readonly known: Set<string>;

  constructor(readonly tree: AclNode[]) {
    this.known = new Set(aclIds(tree));
  }

  static of(moduleTrees: AclNode[][]): Acl {
    return new Acl([...HOST_ACL, ...moduleTrees.flat()]);
  }

  /** A resource nobody declared is denied to everyone, admins included. */
  allows(role: string, resource: string): boolean {
    if (!this.known.has(resource)) return false;
    if (role === 'admin') return true;
    if (role === 'staff') return STAFF_RESOURCES.has(resource);
    return false;
  }

  has(resource: string): boolean {
    return this.known.has(resource);
  }
}
