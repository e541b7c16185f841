// The organisation's configuration (Get-OrganizationConfig): only the switch the AuthAdmin servicelet depends on.
import { z } from 'zod';
import { PsObjectType } from '../output';

export interface OrganizationConfig {
  enableAuthAdminReadSession: boolean;
}

export const ORGANIZATION_CONFIG: PsObjectType<OrganizationConfig> = {
  name: 'OrganizationConfig',
  select: ['EnableAuthAdminReadSession'],
  schema: z.looseObject({ EnableAuthAdminReadSession: z.unknown() }).transform((o) => ({
    enableAuthAdminReadSession: o.EnableAuthAdminReadSession === true || o.EnableAuthAdminReadSession === 'True',
  })),
};
