/** The run's notion of "now". Frozen by `OBSERVES_FROZEN_TIME` (an ISO date) so that golden outputs are reproducible. */
export interface Clock {
  now(): Date;
}

/** A clock frozen at `frozen` (ISO 8601) when given, else the system clock. */
export function createClock(frozen: string | undefined = process.env.OBSERVES_FROZEN_TIME): Clock {
  if (!frozen) return { now: () => new Date() };
  const at = Date.parse(frozen);
  if (Number.isNaN(at)) throw new Error(`OBSERVES_FROZEN_TIME is not a date: ${JSON.stringify(frozen)}`);
  return { now: () => new Date(at) };
}
