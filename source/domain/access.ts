import type { Control, Result } from './schemas.js';

/** Whether a credential can evaluate one control, and if not, what it lacks. */
export interface ControlAccess {
  controlId: string;
  title: string;
  /** The control got a verdict (pass, fail, partial, not applicable) from what the credential could read. */
  evaluable: boolean;
  outcome: Result['outcome'];
  /** The right (role, scope, permission) the credential lacks, when that is why it is not evaluable. */
  missing?: string;
  /** Why it is not evaluable, in the connector's words. */
  reason?: string;
}

/** Per control of the catalog, whether this reading could evaluate it. Pure. */
export function controlAccess(controls: readonly Control[], results: readonly Result[]): ControlAccess[] {
  const byId = new Map(results.map((r) => [r.controlId, r]));
  return controls.map((c) => {
    const r = byId.get(c.id);
    const outcome = r?.outcome ?? 'unknown';
    // Not applicable is a verdict too: the credential saw that the setting is not there.
    const evaluable =
      outcome === 'pass' || outcome === 'fail' || outcome === 'partial' || outcome === 'not_applicable';
    return {
      controlId: c.id,
      title: c.title,
      evaluable,
      outcome,
      ...(!evaluable && r?.missing ? { missing: r.missing } : {}),
      ...(!evaluable ? { reason: r?.reason ?? 'not evaluated' } : {}),
    };
  });
}

/** The distinct rights a set of controls lacks, in catalog order. */
export function missingRights(access: readonly ControlAccess[]): string[] {
  return [...new Set(access.flatMap((a) => (a.missing ? [a.missing] : [])))];
}
