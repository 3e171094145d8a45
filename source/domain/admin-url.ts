import type { Instance } from './schemas.js';

/**
 * Where an operator administers an instance, worked out from its base URL (the API's address):
 * the admin console for the apps whose console lives elsewhere, else the base URL itself. Undefined
 * unless the result is an http(s) URL.
 */
export function adminUrl(i: Pick<Instance, 'app' | 'baseUrl' | 'options'>): string | undefined {
  let base: URL;
  try {
    base = new URL(i.baseUrl);
  } catch {
    return undefined;
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') return undefined;
  const host = base.hostname;
  switch (i.app) {
    case 'okta': {
      // contoso.okta.com → contoso-admin.okta.com (and oktapreview.com, okta-emea.com).
      const m = /^([^.]+)\.(okta\.com|oktapreview\.com|okta-emea\.com)$/.exec(host);
      return m ? `https://${m[1]}-admin.${m[2]}/admin/dashboard` : base.origin;
    }
    case 'salesforce':
      return `${base.origin}/lightning/setup/SetupOneHome/home`;
    case 'github': {
      const org = i.options.org;
      // api.github.com → github.com; GitHub Enterprise Server serves its API under /api/v3.
      const web = host === 'api.github.com' ? 'https://github.com' : base.origin;
      return org ? `${web}/organizations/${encodeURIComponent(org)}/settings` : web;
    }
    default:
      return base.origin;
  }
}
