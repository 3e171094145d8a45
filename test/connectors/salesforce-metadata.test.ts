import { describe, expect, it } from 'vitest';
import { ipNumber, isBroad, readSoapFault } from '../../source/connectors/salesforce/metadata.js';
import { parseXml, XmlError } from '../../source/connectors/salesforce/xml.js';

describe('Salesforce Metadata API answers', () => {
  it('calls a login IP range broad beyond an IPv4 /8 or an IPv6 /48, and cannot read a non-address', () => {
    expect(isBroad('0.0.0.0', '255.255.255.255')).toBe(true);
    expect(isBroad('1.1.1.1', '255.255.255.255')).toBe(true);
    expect(isBroad('10.0.0.0', '10.255.255.255')).toBe(false);
    expect(isBroad('10.0.0.0', '11.0.0.0')).toBe(true);
    expect(isBroad('2001:db8::', '2001:db8:0:ffff:ffff:ffff:ffff:ffff')).toBe(false);
    expect(isBroad('::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(ipNumber('::ffff:10.0.0.1')).toBe(ipNumber('10.0.0.1'));
    expect(isBroad('10.0.0.1', 'ten')).toBeUndefined();
  });

  it('reads a SOAP fault and refuses a DOCTYPE', () => {
    const fault =
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><soapenv:Fault><faultcode>sf:INSUFFICIENT_ACCESS</faultcode><faultstring>INSUFFICIENT_ACCESS: use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permission</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>';
    expect(readSoapFault(fault)).toEqual({
      code: 'INSUFFICIENT_ACCESS',
      message: 'use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permission',
    });
    expect(() => parseXml('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')).toThrow(XmlError);
    expect(parseXml('<a:x><y>1 &amp; &#50;</y></a:x>').children[0]?.text).toBe('1 & 2');
    // A reference beyond Unicode from a hostile answer is a replacement character, not a crash.
    expect(parseXml('<x><y>&#x110000;&#99999999999;</y></x>').children[0]?.text).toBe('\uFFFD\uFFFD');
  });
});
