import { BlockList, isIP } from 'node:net';

/**
 * Host names and IP ranges, as operators write them in OUTBOUND_ALLOWLIST/DENYLIST:
 * `api.example.com`, `*.example.com`, `10.0.0.0/8`, `fd00::/8`, `169.254.169.254`.
 */
export interface NetworkList {
  readonly networks: BlockList;
  /** Lower-case names; a leading `*.` (or `.`) matches any subdomain. */
  readonly hosts: readonly string[];
  readonly invalid: readonly string[];
}

const HOST_NAME = /^(\*\.|\.)?([a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*$/;

export function parseNetworkList(entries: readonly string[]): NetworkList {
  const networks = new BlockList();
  const hosts: string[] = [];
  const invalid: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    const [address, prefix, ...rest] = entry.split('/');
    const family = address === undefined ? 0 : isIP(address);
    if (family !== 0 && address !== undefined && rest.length === 0) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
      if (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128))) invalid.push(raw);
      else networks.addSubnet(address, bits, type);
    } else if (prefix === undefined && HOST_NAME.test(entry)) {
      hosts.push(entry.startsWith('*.') ? entry.slice(1) : entry);
    } else {
      invalid.push(raw);
    }
  }
  return { networks, hosts, invalid };
}

export function matchesHost(list: NetworkList, host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return list.hosts.some((entry) => (entry.startsWith('.') ? name.endsWith(entry) : name === entry));
}

export function matchesAddress(list: NetworkList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.networks.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The IPv4 address an IPv6 one stands for (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::`,
 * the old compatible form `::a.b.c.d`), so `[::ffff:a9fe:a9fe]` is checked as 169.254.169.254.
 */
export function canonicalAddress(text: string): string {
  const address = text.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(address) !== 6) return address;
  const groups = expandIpv6(address);
  if (groups === undefined) return address;
  const zeros = (from: number, to: number): boolean => groups.slice(from, to).every((group) => group === 0);
  const mapped = zeros(0, 5) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6);
  const compatible = zeros(0, 6) && (groups[6] ?? 0) !== 0;
  if (!mapped && !nat64 && !compatible) return address;
  const high = groups[6] ?? 0;
  const low = groups[7] ?? 0;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function expandIpv6(address: string): number[] | undefined {
  let text = address.split('%')[0] ?? '';
  // A trailing dotted quad is two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  return groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : undefined;
}
