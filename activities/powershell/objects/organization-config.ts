// The organisation's configuration (Get-OrganizationConfig): only the switch the AuthAdmin servicelet depends on.
import { z } from 'zod';
import type { OrganizationConfig } from '../../../common/exchange';
import { PsObjectType } from '../output';

/**
 * EnableAuthAdminReadSession is not among Get-OrganizationConfig's documented properties: where Exchange does not
 * return it (Select-Object then gives null), it is unknown, never "off".
 */
export const ORGANIZATION_CONFIG: PsObjectType<OrganizationConfig> = {
  name: 'OrganizationConfig',
  select: ['EnableAuthAdminReadSession'],
  schema: z.looseObject({ EnableAuthAdminReadSession: z.unknown().optional() }).transform((o) => {
    const value = o.EnableAuthAdminReadSession;
    return {
      enableAuthAdminReadSession:
        value === true || value === 'True' ? true : value === false || value === 'False' ? false : null,
    };
  }),
};
