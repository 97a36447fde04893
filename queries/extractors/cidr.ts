/**
 * `cidr||` and `cidr|10.22.0.0/24, 10.21.1.0/24|`: an IP address or CIDR network, as Tremor's
 * extractor (cidr-utils) reads it. The binding is `{"prefix": [...], "mask": [...]}`: for IPv4 the
 * network's first address and its mask as 4 octets, for IPv6 as 8 16-bit groups. A network whose
 * address has host bits set is no match (cidr-utils is strict). With rules, the input must be a
 * plain IPv4 address inside one of them; rules are IPv4 only.
 *
 * Parsing and range checks are ipaddr.js's (a well-kept IP library): it reads exactly the dotted
 * quad and IPv6 forms, so the only code here is Tremor's output shape.
 */
import { createRequire } from 'node:module';
import type ipaddrModule from 'ipaddr.js';
import type { RecordValue } from '../values/value.ts';
import { ExtractorRuleError, NO_MATCH, type Extractor } from './extractor.ts';

type IpAddr = typeof ipaddrModule;
type Network = [ipaddrModule.IPv4 | ipaddrModule.IPv6, number];

/**
 * ipaddr.js is loaded when the first cidr extractor is built: it is a CommonJS package, and
 * importing it at start-up cost every `rill run` about 70 ms (Node scans CommonJS for exports).
 */
let loaded: IpAddr | undefined;
function ipaddrLibrary(): IpAddr {
  loaded ??= createRequire(import.meta.url)('ipaddr.js') as IpAddr;
  return loaded;
}

function parseNetwork(text: string): Network | undefined {
  const ipaddr = ipaddrLibrary();
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    if (ipaddr.IPv4.isValidFourPartDecimal(text)) return [ipaddr.IPv4.parse(text), 32];
    if (ipaddr.IPv6.isValid(text)) return [ipaddr.IPv6.parse(text), 128];
  } catch {
    return undefined;
  }
  return undefined;
}

function hasHostBits([address, length]: Network): boolean {
  const bytes = address.toByteArray();
  for (let bit = length; bit < bytes.length * 8; bit++) if ((bytes[bit >> 3] >> (7 - (bit & 7))) & 1) return true;
  return false;
}

function maskBytes(length: number, size: number): number[] {
  return Array.from({ length: size }, (_, i) => {
    const bits = Math.max(0, Math.min(8, length - i * 8));
    return (0xff << (8 - bits)) & 0xff;
  });
}

function groups16(bytes: number[]): number[] {
  return Array.from({ length: bytes.length / 2 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
}

export function cidrRecord(network: Network): RecordValue {
  const [address, length] = network;
  const bytes = address.toByteArray();
  const mask = maskBytes(length, bytes.length);
  return address.kind() === 'ipv4' ? { prefix: bytes, mask } : { prefix: groups16(bytes), mask: groups16(mask) };
}

export function cidrExtractor(rule: string): Extractor {
  if (rule.trim() === '') {
    return {
      extract(input) {
        const network = parseNetwork(input);
        return network === undefined || hasHostBits(network) ? NO_MATCH : cidrRecord(network);
      },
    };
  }
  const ranges = rule.split(',').map((text) => {
    const trimmed = text.trim();
    const network = parseNetwork(trimmed);
    if (network?.[0].kind() === 'ipv6') throw new ExtractorRuleError(`IPv6 CIDR not supported: '${trimmed}'`);
    if (network === undefined || hasHostBits(network)) throw new ExtractorRuleError(`could not parse CIDR: '${trimmed}'`);
    return network as [ipaddrModule.IPv4, number];
  });
  const ipaddr = ipaddrLibrary();
  return {
    extract(input) {
      if (!ipaddr.IPv4.isValidFourPartDecimal(input)) return NO_MATCH;
      const address = ipaddr.IPv4.parse(input);
      return ranges.some((range) => address.match(range)) ? cidrRecord([address, 32]) : NO_MATCH;
    },
  };
}
