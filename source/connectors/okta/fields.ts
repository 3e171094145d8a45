/**
 * What Okta's fields mean when they are null or absent, as Okta's OpenAPI description
 * (okta/okta-management-openapi-spec, management-minimal.yaml) defines it. Okta may omit a
 * property whose value is null, so null and absent mean the same. Where the description declares
 * a `default` (OpenAPI: the value the consumer assumes when the property is not provided) the
 * connector fills it in; where it declares none, the value stays absent and its control unknown.
 * Defaults are filled only inside an object Okta did return: a missing parent proves nothing.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fill(doc: unknown, at: readonly string[], defaults: Obj): void {
  let cur: unknown = doc;
  for (const key of at) cur = isObj(cur) ? cur[key] : undefined;
  if (!isObj(cur)) return;
  for (const [key, value] of Object.entries(defaults)) if (cur[key] == null) cur[key] = value;
}

/** PasswordPolicyPasswordSettingsComplexity / …Age / …Lockout, PasswordDictionaryCommon. */
export function passwordPolicy<T>(policy: T): T {
  const password = ['settings', 'password'];
  fill(policy, [...password, 'complexity'], {
    minLength: 8,
    minLowerCase: 1,
    minUpperCase: 1,
    minNumber: 1,
    minSymbol: 1,
  });
  fill(policy, [...password, 'complexity', 'dictionary', 'common'], { exclude: false });
  fill(policy, [...password, 'age'], { historyCount: 0 });
  fill(policy, [...password, 'lockout'], { maxAttempts: 10 });
  return policy;
}

/** OktaSignOnPolicyRuleSignonActions / …SessionActions. `access` has no default: it stays absent. */
export function signOnRule<T>(rule: T): T {
  fill(rule, ['actions', 'signon'], { requireFactor: false });
  fill(rule, ['actions', 'signon', 'session'], {
    maxSessionIdleMinutes: 120,
    maxSessionLifetimeMinutes: 0,
    usePersistentCookie: false,
  });
  return rule;
}

/** AdminConsoleSettings. */
export function adminConsoleSettings<T>(settings: T): T {
  fill(settings, [], { sessionIdleTimeoutMinutes: 15, sessionMaxLifetimeMinutes: 720 });
  return settings;
}

/**
 * ApiToken.network is "the Network Condition of the API Token" and declares no default: a token
 * without one has no network restriction, which Okta's Admin Console shows as "Any IP" and the
 * API as `connection: ANYWHERE`. One of the description's own list examples has no `network`.
 */
export function apiToken<T>(token: T): T {
  const t: unknown = token;
  if (isObj(t) && t.network == null) t.network = { connection: 'ANYWHERE' };
  return token;
}

/** The steps of one authentication method chain: this step, then `next[0]`, and so on. */
function chainSteps(chain: unknown): unknown[][] | undefined {
  const steps: unknown[][] = [];
  for (let step: unknown = chain; step !== undefined;) {
    if (!isObj(step) || !Array.isArray(step.authenticationMethods)) return undefined;
    if (step.authenticationMethods.length === 0 || steps.length > 10) return undefined;
    steps.push(step.authenticationMethods);
    if (step.next == null) break;
    if (!Array.isArray(step.next) || step.next.length > 1) return undefined;
    step = step.next[0];
  }
  return steps;
}

/**
 * Whether one chain makes the user present two factors: two or more steps, or one step whose
 * every method verifies the user (`userVerification: REQUIRED`: a possession factor unlocked by
 * biometrics or a PIN, which Okta counts as a second factor type). Undefined when malformed.
 */
function chainIsTwoFactor(chain: unknown): boolean | undefined {
  const steps = chainSteps(chain);
  if (!steps) return undefined;
  if (steps.length >= 2) return true;
  return steps[0]!.every((m) => isObj(m) && m.userVerification === 'REQUIRED');
}

/**
 * Whether an access-policy rule's `verificationMethod` requires two factors: true, false, or
 * undefined when the connector does not know the method (ID_PROOFING, a type added later, a
 * missing field), so that its control is unknown rather than a guess.
 * - ASSURANCE: `factorMode` 2FA or 1FA (AssuranceMethodFactorMode, no default).
 * - AUTH_METHOD_CHAIN: the user may follow any chain, so every chain must take two factors.
 */
export function requiresTwoFactors(method: unknown): boolean | undefined {
  if (!isObj(method)) return undefined;
  if (method.type === 'ASSURANCE')
    return method.factorMode === '2FA' ? true : method.factorMode === '1FA' ? false : undefined;
  if (method.type === 'AUTH_METHOD_CHAIN') {
    if (!Array.isArray(method.chains) || method.chains.length === 0) return undefined;
    const each = method.chains.map(chainIsTwoFactor);
    if (each.includes(false)) return false;
    return each.includes(undefined) ? undefined : true;
  }
  return undefined;
}

/** An access-policy rule with `_twoFactors` and `_phishingResistant` set when the connector can tell. */
export function accessRule<T>(rule: T): T {
  const r: unknown = rule;
  if (!isObj(r)) return rule;
  const signOn = isObj(r.actions) ? r.actions.appSignOn : undefined;
  const method = isObj(signOn) ? signOn.verificationMethod : undefined;
  const two = requiresTwoFactors(method);
  if (two !== undefined) r._twoFactors = two;
  const resistant = requiresPhishingResistance(method);
  if (resistant !== undefined) r._phishingResistant = resistant;
  return rule;
}

/**
 * Whether a verification method admits only phishing-resistant possession factors (the rule's
 * "Possession factor constraints are: Phishing resistant"): true, false, or undefined when the
 * connector does not know the method.
 * - ASSURANCE: "only one constraint object needs to be satisfied", so every object must require
 *   `possession.phishingResistant` (PossessionConstraint, default OPTIONAL). No constraint at all
 *   lets any factor through.
 * - AUTH_METHOD_CHAIN: every chain must have a step whose every method requires
 *   `phishingResistant` (AuthenticationMethod, default OPTIONAL).
 */
export function requiresPhishingResistance(method: unknown): boolean | undefined {
  if (!isObj(method)) return undefined;
  if (method.type === 'ASSURANCE') {
    if (method.constraints == null) return false;
    if (!Array.isArray(method.constraints)) return undefined;
    if (method.constraints.length === 0) return false;
    return method.constraints.every(
      (c) => isObj(c) && isObj(c.possession) && c.possession.phishingResistant === 'REQUIRED',
    );
  }
  if (method.type === 'AUTH_METHOD_CHAIN') {
    if (!Array.isArray(method.chains) || method.chains.length === 0) return undefined;
    const each = method.chains.map((chain) => {
      const steps = chainSteps(chain);
      return steps?.some((s) => s.every((m) => isObj(m) && m.phishingResistant === 'REQUIRED'));
    });
    if (each.includes(false)) return false;
    return each.includes(undefined) ? undefined : true;
  }
  return undefined;
}

/** PolicyNetworkCondition: `connection: ZONE` with at least one zone to include or exclude. */
export function usesNetworkZone(rule: unknown): boolean {
  const conditions = isObj(rule) ? rule.conditions : undefined;
  const network = isObj(conditions) ? conditions.network : undefined;
  if (!isObj(network) || network.connection !== 'ZONE') return false;
  const some = (v: unknown) => Array.isArray(v) && v.length > 0;
  return some(network.include) || some(network.exclude);
}

/**
 * A policy's rules with `_zoned` on each and `_first` on the active rule Okta evaluates first
 * (the lowest `priority`; Okta lists rules in priority order, so a rule without one keeps its place).
 */
export function markFirstRule<T>(rules: T[]): T[] {
  const prio = (r: unknown) => (isObj(r) && typeof r.priority === 'number' ? r.priority : Infinity);
  const active = rules.filter((r) => isObj(r) && r.status === 'ACTIVE');
  const first = active.reduce<T | undefined>(
    (a, r) => (a === undefined || prio(r) < prio(a) ? r : a),
    undefined,
  );
  for (const r of rules) {
    const o: unknown = r;
    if (!isObj(o)) continue;
    o._zoned = usesNetworkZone(o);
    o._first = o === (first as unknown);
  }
  return rules;
}

/**
 * Whether an app's authentication policy restricts it by network (OKTA-APP-003244, as the STIG's
 * fix text says): every active rule Okta did not create (`system` false, its default) has a
 * network-zone condition, and the active Catch-all Rule (`system: true`) denies access.
 */
export function appPolicyUsesZones(rules: unknown[]): boolean {
  const active = rules.filter((r) => isObj(r) && r.status === 'ACTIVE') as Obj[];
  const custom = active.filter((r) => r.system !== true);
  const catchAll = active.find((r) => r.system === true);
  const signOn = isObj(catchAll?.actions) ? catchAll.actions.appSignOn : undefined;
  return custom.length > 0 && custom.every(usesNetworkZone) && isObj(signOn) && signOn.access === 'DENY';
}

/** The IP services whose blocking covers every anonymizer (IPServiceCategory). */
const ANONYMIZER_CATEGORIES = ['ALL_ANONYMIZERS', 'ALL_IP_SERVICES'];

/**
 * A network zone with `_blocksAnonymizers`: an active Enhanced Dynamic Zone (DYNAMIC_V2) used as a
 * blocklist whose `ipServiceCategories` include all anonymizers and exclude none (the STIG's
 * "Enhanced dynamic zone blocklist" set to Active).
 */
export function networkZone<T>(zone: T): T {
  const z: unknown = zone;
  if (!isObj(z)) return zone;
  const categories = isObj(z.ipServiceCategories) ? z.ipServiceCategories : {};
  const include = Array.isArray(categories.include) ? categories.include : [];
  const exclude = Array.isArray(categories.exclude) ? categories.exclude : [];
  z._blocksAnonymizers =
    z.status === 'ACTIVE' &&
    z.usage === 'BLOCKLIST' &&
    z.type === 'DYNAMIC_V2' &&
    include.some((c) => ANONYMIZER_CATEGORIES.includes(String(c))) &&
    exclude.length === 0;
  return zone;
}

/**
 * A trusted origin with `_https`: Okta sends browsers' CORS and redirect trust to `origin` as
 * given, so one over plain http (or any other scheme) can be read or changed on the way.
 */
export function trustedOrigin<T>(origin: T): T {
  const o: unknown = origin;
  if (isObj(o) && typeof o.origin === 'string') o._https = /^https:\/\//i.test(o.origin);
  return origin;
}
