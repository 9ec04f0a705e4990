// DNS lookups, the data plane of Route 53: a traffic step checks what a name answers the way its
// users would, with no Route 53 API call. The resolver is the system's (in Lambda, the VPC or
// Lambda resolver), bounded by a short timeout; the local simulation installs one that answers
// from its emulated environment (setDnsResolver), as it does for SDK clients.
import { Resolver } from 'node:dns/promises';

/** The lookups the steps make (node:dns/promises Resolver's shapes). */
export interface DnsResolver {
  resolveCname(name: string): Promise<string[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

/** One attempt waits this long; two attempts per lookup. */
export const DNS_TIMEOUT_MS = 2_000;

let installed: DnsResolver | undefined;
let systemResolver: DnsResolver | undefined;

/** Installs (or removes, back to the system's) the resolver every lookup uses from now on. */
export function setDnsResolver(next: DnsResolver | undefined): void {
  installed = next;
}

const system = (): DnsResolver => {
  if (installed) return installed;
  systemResolver ??= new Resolver({ timeout: DNS_TIMEOUT_MS, tries: 2 });
  return systemResolver;
};

/** The installed resolver, looked up on every call (so a client made earlier follows a later install). */
export const dns: DnsResolver = {
  resolveCname: (name) => system().resolveCname(name),
  resolve4: (name) => system().resolve4(name),
  resolve6: (name) => system().resolve6(name),
};

/** What a name answers: its CNAME target, or its addresses; `error` when the lookup itself failed. */
export interface DnsAnswer {
  cname?: string;
  addresses: string[];
  /** NXDOMAIN: the name does not exist. */
  missing?: boolean;
  /** A failed lookup (timeout, SERVFAIL, refused): the answer is unknown. */
  error?: string;
}

/** Codes that mean "no such record", not "no answer". */
const NO_RECORD = new Set(['ENODATA', 'ENOTFOUND']);

const codeOf = (error: unknown) => (error as { code?: string } | undefined)?.code ?? String(error);

/** The records of one type, none when the name has no such record. */
async function records(lookup: () => Promise<string[]>): Promise<string[]> {
  try {
    return await lookup();
  } catch (error) {
    if (NO_RECORD.has(codeOf(error))) return [];
    throw error;
  }
}

const normalise = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** Looks a name up: a CNAME first (a CNAME answer is the name's whole answer), else A and AAAA. */
export async function lookup(resolver: DnsResolver, name: string): Promise<DnsAnswer> {
  try {
    const [cname] = await records(() => resolver.resolveCname(name));
    if (cname) return { cname: normalise(cname), addresses: [] };
    const [v4, v6] = await Promise.all([
      records(() => resolver.resolve4(name)),
      records(() => resolver.resolve6(name)),
    ]);
    const addresses = [...v4, ...v6];
    return addresses.length > 0 ? { addresses } : { addresses, missing: true };
  } catch (error) {
    return { addresses: [], error: codeOf(error) };
  }
}

/** How messages show an answer. */
export function describeAnswer(answer: DnsAnswer): string {
  if (answer.error) return `no answer (${answer.error})`;
  if (answer.cname) return `CNAME ${answer.cname}`;
  return answer.addresses.length > 0 ? answer.addresses.join(', ') : 'no record';
}

const isAddress = (value: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(value) || value.includes(':');

/**
 * Whether a name answers `expected` (an address, or the name the record points at): its CNAME is
 * that name, or every address it resolves to is one of `expected`'s (an alias answers the
 * target's addresses).
 */
export async function answers(
  resolver: DnsResolver,
  name: string,
  expected: string,
): Promise<{ answer: DnsAnswer; matches: boolean }> {
  const answer = await lookup(resolver, name);
  if (answer.error || answer.addresses.length === 0) {
    return { answer, matches: answer.cname !== undefined && answer.cname === normalise(expected) };
  }
  if (isAddress(expected)) return { answer, matches: answer.addresses.every((a) => a === expected) };
  const target = await lookup(resolver, expected);
  return {
    answer,
    matches: answer.addresses.every((a) => target.addresses.includes(a)),
  };
}
