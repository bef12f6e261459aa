// A per-tenant profile cache that never evicts: the planted leak.
export interface Settings {
  theme: string;
  locale: string;
}

export class TenantProfile {
  readonly createdAt = Date.now();
  constructor(
    readonly tenant: string,
    readonly settings: Settings,
  ) {}
}

const profiles = new Map<string, TenantProfile>();

export function remember(tenant: string): TenantProfile {
  const profile = new TenantProfile(tenant, { theme: 'dark', locale: 'en' });
  profiles.set(tenant, profile);
  return profile;
}
