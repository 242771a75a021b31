import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { assertPublicAddresses, type Resolver } from './guard.js';

/**
 * The DNS lookup the sender's sockets use. It resolves once per connection, checks every
 * address, and hands the socket only those checked addresses: the address connected to is
 * the address checked, so a DNS answer that changes after the submit-time check (rebinding)
 * cannot steer a delivery to an internal host.
 */
export function pinnedLookup(resolver: Resolver, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname).then(
      (addresses) => {
        let entries: LookupAddress[];
        try {
          if (!allowPrivate) assertPublicAddresses(hostname, addresses);
          entries = usable(hostname, addresses, options.family);
        } catch (err) {
          callback(err as NodeJS.ErrnoException, '');
          return;
        }
        if (options.all) callback(null, entries);
        else callback(null, entries[0]!.address, entries[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

function usable(hostname: string, addresses: string[], family: number | string | undefined): LookupAddress[] {
  const wanted = family === 'IPv4' ? 4 : family === 'IPv6' ? 6 : (family ?? 0);
  const entries = addresses.map((address) => ({ address, family: isIP(address) })).filter((e) => wanted === 0 || e.family === wanted);
  if (entries.length === 0) throw Object.assign(new Error(`no usable address for ${hostname}`), { code: 'ENOTFOUND' });
  return entries;
}
