// Server-side request forgery guard for webhook deliveries: a company admin names the URL, so without a check
// the server would POST to its own loopback, the cloud metadata endpoint or the private network on their behalf.
// The check runs where the connection is made (the resolver of the HTTP agent), so a name that resolves to a
// public address when the subscription is created and to a private one later (DNS rebinding) is still refused.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { Agent } from 'undici';

/** Only plain public unicast addresses; loopback, private, link-local (169.254.x, metadata), CGNAT and the rest are not. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/** Why a URL's host is refused without resolving it (an address literal or localhost), or undefined. */
export function refusedHost(url: string): string | undefined {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is this server`;
  if (ipaddr.isValid(host) && !isPublicAddress(host)) return `${host} is not a public address`;
  return undefined;
}

export class RefusedTargetError extends Error {
  override readonly name = 'RefusedTargetError';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that fails for names resolving to anything but public addresses. */
function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) return callback(new RefusedTargetError(`${hostname} resolves to ${refused.address}, which is not a public address`), []);
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    return callback(null, first?.address ?? '', first?.family);
  });
}

/** The dispatcher webhook deliveries use: undefined (the default agent) when private targets are allowed. */
export function webhookDispatcher(allowPrivateTargets: boolean): Agent | undefined {
  if (allowPrivateTargets) return undefined;
  return new Agent({ connect: { lookup: guardedLookup } });
}
