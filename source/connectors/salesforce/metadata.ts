import { unseenItem } from '../../domain/rules.js';
import { all, child, escapeXml, parseXml, textAt, type XmlNode } from './xml.js';

/**
 * Salesforce's Metadata API (SOAP) as posture reads it: listMetadata and readMetadata, nothing
 * that deploys. Salesforce opens it only to users with "Modify Metadata Through Metadata API
 * Functions" or "Modify All Data" and answers others with the fault INSUFFICIENT_ACCESS.
 */

export const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';
/** readMetadata reads at most 10 components per call. */
export const READ_BATCH = 10;

/** The SOAP envelope of one Metadata API call, signed with the session (the OAuth access token). */
export function envelope(sessionId: string, call: string, inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:met="${METADATA_NS}">` +
    `<soapenv:Header><met:SessionHeader><met:sessionId>${escapeXml(sessionId)}</met:sessionId></met:SessionHeader></soapenv:Header>` +
    `<soapenv:Body><met:${call}>${inner}</met:${call}></soapenv:Body></soapenv:Envelope>`
  );
}

export function readMetadataCall(type: string, fullNames: readonly string[]): string {
  return (
    `<met:type>${escapeXml(type)}</met:type>` +
    fullNames.map((n) => `<met:fullNames>${escapeXml(n)}</met:fullNames>`).join('')
  );
}

export function listMetadataCall(type: string, apiVersion: string): string {
  return `<met:queries><met:type>${escapeXml(type)}</met:type></met:queries><met:asOfVersion>${escapeXml(apiVersion)}</met:asOfVersion>`;
}

/** A SOAP fault: `sf:INSUFFICIENT_ACCESS` and its faultstring. */
export function readSoapFault(text: string): { code: string; message: string } | undefined {
  if (!text.includes('Fault')) return undefined;
  try {
    const fault = child(parseXml(text), 'Body', 'Fault');
    const code = textAt(fault, 'faultcode');
    if (!fault || !code) return undefined;
    const bare = code.slice(code.indexOf(':') + 1);
    const message = (textAt(fault, 'faultstring') ?? bare).replace(new RegExp(`^${bare}:\\s*`), '');
    return { code: bare, message };
  } catch {
    return undefined;
  }
}

/** The `<result>` elements of a call's response (`<readMetadataResponse>`, `<listMetadataResponse>`). */
export function results(text: string, call: string): XmlNode[] {
  return all(child(parseXml(text), 'Body', `${call}Response`), 'result');
}

/** readMetadata's records; a name the org does not have comes back as a record without fullName. */
export function records(result: XmlNode | undefined): XmlNode[] {
  return all(result, 'records').filter((r) => r.attrs.nil !== 'true' && textAt(r, 'fullName'));
}

/**
 * SecuritySettings ("Security") as one item. `isLoginWithSalesforceCredentialsDisabled` is
 * Single Sign-On Settings' "Disable login with Salesforce credentials"; an org or API version
 * without it leaves the item unjudged.
 */
export function securitySettingsItem(record: XmlNode | undefined): unknown {
  const label = 'Single Sign-On Settings';
  const value = textAt(record, 'singleSignOnSettings', 'isLoginWithSalesforceCredentialsDisabled');
  if (value === 'true' || value === 'false')
    return { _label: label, isLoginWithSalesforceCredentialsDisabled: value === 'true' };
  return unseenItem(
    { _label: label },
    {
      reason: record
        ? 'the Metadata API returned SecuritySettings without singleSignOnSettings.isLoginWithSalesforceCredentialsDisabled'
        : 'the Metadata API returned no SecuritySettings',
    },
  );
}

// ---- Login IP ranges: how many addresses a range lets in ----

const V4_BITS = 32n;
/** ::ffff:0.0.0.0, where IPv4 addresses sit in the IPv6 space. */
const MAPPED = 0xffff_0000_0000n;

function ipv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => (n << 8n) + BigInt(p), 0n);
}

/** An address as a 128-bit number; an IPv4 address is its IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
export function ipNumber(text: string): bigint | undefined {
  let t = text.trim();
  const v4 = ipv4(t);
  if (v4 !== undefined) return MAPPED + v4;
  // An embedded IPv4 tail (::ffff:10.0.0.1) is two 16-bit groups.
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(t);
  if (dotted?.[1]) {
    const v = ipv4(dotted[1]);
    if (v === undefined) return undefined;
    t = `${t.slice(0, -dotted[1].length)}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  if (!/^[0-9a-f:]+$/i.test(t) || (t.match(/::/g) ?? []).length > 1) return undefined;
  const [left = '', right] = t.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const missing = 8 - l.length - r.length;
  if ((right === undefined && missing !== 0) || missing < 0) return undefined;
  const all16 = [...l, ...Array<string>(right === undefined ? 0 : missing).fill('0'), ...r];
  if (all16.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return all16.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** More addresses than an IPv4 /8 (16,777,216), or than an IPv6 /48: no longer an organisation's network. */
export const BROAD_V4 = 2n ** 24n;
export const BROAD_V6 = 2n ** 80n;

/** Whether a start–end range is broad; undefined when an address cannot be read. */
export function isBroad(start: string, end: string): boolean | undefined {
  const a = ipNumber(start);
  const b = ipNumber(end);
  if (a === undefined || b === undefined) return undefined;
  const size = (b >= a ? b - a : a - b) + 1n;
  const v4 = (n: bigint) => n >> V4_BITS === MAPPED >> V4_BITS;
  return v4(a) && v4(b) ? size > BROAD_V4 : size > BROAD_V6;
}

/** A profile with its login IP ranges and which of them are broad. */
export function profileRangesItem(record: XmlNode): unknown {
  const fullName = textAt(record, 'fullName') ?? '';
  let name = fullName;
  try {
    name = decodeURIComponent(fullName);
  } catch {
    // A fullName that is not URL-encoded is shown as it came.
  }
  const ranges = all(record, 'loginIpRanges').map((r) => ({
    start: textAt(r, 'startAddress') ?? '',
    end: textAt(r, 'endAddress') ?? '',
    description: textAt(r, 'description') ?? '',
  }));
  const judged = ranges.map((r) => ({ ...r, broad: isBroad(r.start, r.end) }));
  const item = {
    fullName,
    _label: name,
    ranges: ranges.map((r) => `${r.start}–${r.end}`).join(', ') || 'none',
  };
  if (judged.some((r) => r.broad === undefined))
    return unseenItem(item, {
      reason: 'a login IP range of the profile is not an IP address posture can read',
    });
  const broad = judged.filter((r) => r.broad).map((r) => `${r.start}–${r.end}`);
  return { ...item, broad: broad.join(', '), _narrow: broad.length === 0 };
}
