import { expect } from 'chai';
import { backoffDelayMs, rateLimitExhausted, retryDelayMs, serverDelayMs } from './retry-delay.js';

const headers = (h: Record<string, string>) => (name: string) => h[name];
const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('retry delays', () => {
  it('reads Retry-After in seconds, not milliseconds', () => {
    expect(serverDelayMs(headers({ 'retry-after': '3' }), NOW)).to.equal(3000);
    expect(serverDelayMs(headers({ 'retry-after': '0.5' }), NOW)).to.equal(500);
  });

  it('reads Retry-After as an HTTP date', () => {
    expect(serverDelayMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), NOW)).to.equal(7000);
  });

  it('reads RateLimit-Reset as epoch seconds (GitLab) or as delta seconds (IETF draft)', () => {
    expect(serverDelayMs(headers({ 'ratelimit-reset': String(NOW / 1000 + 42) }), NOW)).to.equal(42_000);
    expect(serverDelayMs(headers({ 'ratelimit-reset': '42' }), NOW)).to.equal(42_000);
    expect(serverDelayMs(headers({ 'x-ratelimit-reset': '5' }), NOW)).to.equal(5000);
  });

  it('never returns a negative delay for a reset in the past', () => {
    expect(serverDelayMs(headers({ 'ratelimit-reset': String(NOW / 1000 - 10) }), NOW)).to.equal(0);
  });

  it('prefers Retry-After over RateLimit-Reset', () => {
    expect(serverDelayMs(headers({ 'retry-after': '2', 'ratelimit-reset': '60' }), NOW)).to.equal(2000);
  });

  it('is undefined without rate-limit headers', () => {
    expect(serverDelayMs(headers({}), NOW)).to.equal(undefined);
  });

  it('sees an exhausted window', () => {
    expect(rateLimitExhausted(headers({ 'ratelimit-remaining': '0' }))).to.equal(true);
    expect(rateLimitExhausted(headers({ 'ratelimit-remaining': '3' }))).to.equal(false);
    expect(rateLimitExhausted(headers({}))).to.equal(false);
  });

  it('backs off exponentially with jitter within [half, full] of the capped delay', () => {
    const low = { baseDelayMs: 1000, maxDelayMs: 10_000, random: () => 0 };
    const high = { ...low, random: () => 0.999999 };
    expect([0, 1, 2, 3, 4].map((a) => backoffDelayMs(a, low))).to.deep.equal([500, 1000, 2000, 4000, 5000]);
    expect([0, 1, 2, 3, 4].map((a) => backoffDelayMs(a, high))).to.deep.equal([1000, 2000, 4000, 8000, 10_000]);
  });

  it('uses the server delay when given, capped by maxServerDelayMs', () => {
    const options = { baseDelayMs: 1000, maxDelayMs: 10_000, maxServerDelayMs: 60_000, random: () => 0 };
    expect(retryDelayMs(3, headers({ 'retry-after': '30' }), NOW, options)).to.equal(30_000);
    expect(retryDelayMs(0, headers({ 'retry-after': '3600' }), NOW, options)).to.equal(60_000);
    expect(retryDelayMs(2, undefined, NOW, options)).to.equal(2000);
  });
});
