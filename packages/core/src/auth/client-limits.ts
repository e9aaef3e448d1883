// What one client (an account, a client address) may ask of a server before it is slowed down or
// refused: sign-in, registration, sockets and concurrent work. docs/security.md explains each.

export interface ClientLimits {
  /** Failed sign-ins of one account from one client address before each further attempt waits. */
  freeSignInFailures: number;
  /** The longest wait between sign-in attempts of an account under attack from one address. */
  maxSignInDelaySeconds: number;
  /** Failed sign-ins from one client address per day, over all accounts (slow brute force). */
  signInFailuresPerAddressPerDay: number;
  /** Accounts created from one client address per hour. */
  registrationsPerAddressPerHour: number;
  /** Open WebSockets of one user (every tab is one). */
  socketsPerUser: number;
  /** Open WebSockets from one client address (IPv6: one /64), counted before authentication. */
  socketsPerAddress: number;
  /** Queries and mutations of one user (or, signed out, one client address) running at once; more wait. */
  callsRunningPerClient: number;
  /** Calls waiting for one of those slots; beyond, TOO_MANY_REQUESTS. */
  callsWaitingPerClient: number;
  /** Expensive queries (metric series, costs, long conversation pages) of one user running at once. */
  heavyRunningPerUser: number;
  /** Expensive queries waiting for one of those slots; beyond, TOO_MANY_REQUESTS. */
  heavyWaitingPerUser: number;
  /** Ingestion requests with a wrong key from one client address per minute; beyond, 429 without a lookup. */
  wrongIngestKeysPerAddressPerMinute: number;
}

export const CLIENT_LIMITS: ClientLimits = {
  freeSignInFailures: 5,
  maxSignInDelaySeconds: 15 * 60,
  signInFailuresPerAddressPerDay: 200,
  registrationsPerAddressPerHour: 20,
  socketsPerUser: 20,
  socketsPerAddress: 200,
  callsRunningPerClient: 8,
  callsWaitingPerClient: 100,
  heavyRunningPerUser: 3,
  heavyWaitingPerUser: 30,
  wrongIngestKeysPerAddressPerMinute: 60,
};

/**
 * The wait before the next sign-in attempt after `failures` consecutive failures of one account
 * from one address: none for the first few, then 1 s, 2 s, 4 s … up to the maximum.
 */
export function signInDelaySeconds(failures: number, limits: Pick<ClientLimits, 'freeSignInFailures' | 'maxSignInDelaySeconds'>): number {
  const over = failures - limits.freeSignInFailures;
  return over <= 0 ? 0 : Math.min(2 ** (over - 1), limits.maxSignInDelaySeconds);
}
