import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Every address a host name resolves to (A and AAAA). Injectable so tests need no DNS. */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/**
 * A callback target the service must not reach: wrong scheme or a non-public address. The
 * message goes to the client (the 400, the job's webhook.last_error) and never names what a
 * host resolved to: `http://redis:6379/` answering with redis's address would map the
 * service's internal network for anyone who can submit. `detail` says it, for the log.
 */
export class ForbiddenTargetError extends Error {
  override name = 'ForbiddenTargetError';
  constructor(
    message: string,
    readonly detail: string = message,
  ) {
    super(message);
  }
}

/**
 * One answer for a private address, no address and no answer at all: told apart, they would
 * say which internal names exist.
 */
const NOT_PUBLIC = 'callback_url is not allowed: the service only calls hosts that resolve to public addresses';

/**
 * True only for globally routable unicast addresses. ipaddr.js names every special range
 * (loopback, private, linkLocal, carrierGradeNat, multicast, unspecified, broadcast, reserved,
 * uniqueLocal, 6to4, …); anything but 'unicast' is refused. IPv4-mapped addresses are judged
 * as the IPv4 address they carry, and so are IPv4-compatible ones (::a.b.c.d), which ipaddr.js
 * would otherwise call unicast.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  if (parsed.range() !== 'unicast') return false;
  const embedded = ipv4Compatible(parsed);
  return embedded === undefined || embedded.range() === 'unicast';
}

function ipv4Compatible(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | undefined {
  if (address.kind() !== 'ipv6') return undefined;
  const bytes = address.toByteArray();
  if (bytes.slice(0, 12).some((b) => b !== 0)) return undefined;
  return new ipaddr.IPv4(bytes.slice(12));
}

/** Throws unless every address is public: one private answer is enough to refuse the host. */
export function assertPublicAddresses(host: string, addresses: string[]): void {
  if (addresses.length === 0) throw new ForbiddenTargetError(NOT_PUBLIC, `${host} has no address`);
  const bad = addresses.find((a) => !isPublicAddress(a));
  if (bad !== undefined) throw new ForbiddenTargetError(NOT_PUBLIC, `${host} resolves to a non-public address (${bad})`);
}

/** The host as a socket wants it: IPv6 literals without their URL brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Parses a callback URL and refuses anything but http(s). */
export function parseTarget(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ForbiddenTargetError('callback_url is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ForbiddenTargetError(`callback_url scheme ${url.protocol} is not allowed (http or https only)`);
  }
  return url;
}

/** The submit-time check: scheme, then every address the host resolves to now. */
export async function assertPublicUrl(raw: string, resolver: Resolver = systemResolver): Promise<void> {
  const host = hostOf(parseTarget(raw));
  if (isIP(host)) return assertPublicAddresses(host, [host]);
  let addresses: string[];
  try {
    addresses = await resolver(host);
  } catch (err) {
    // Unresolvable now means we cannot vouch for it; the caller can fix the URL.
    throw new ForbiddenTargetError(NOT_PUBLIC, `${host} cannot be resolved (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  assertPublicAddresses(host, addresses);
}
