import { describe, expect, it } from 'vitest';
import { readableZone } from './time-zones.ts';

const JANUARY = Date.UTC(2031, 0, 14, 18);
const JULY = Date.UTC(2031, 6, 14, 18);

describe('readableZone', () => {
  it('names a zone by its city, its name and the offset on the day, not by its IANA ID', () => {
    expect(readableZone('America/New_York', JANUARY, 'en-GB')).toBe('New York, Eastern Time, GMT-5');
    expect(readableZone('America/New_York', JULY, 'en-GB')).toBe('New York, Eastern Time, GMT-4');
    expect(readableZone('Europe/Berlin', JULY, 'en-GB')).toBe('Berlin, Central European Time, GMT+2');
  });

  it('uses the current name of an outdated ID', () => {
    expect(readableZone('Asia/Calcutta', JANUARY, 'en-GB')).toBe('Kolkata, India Standard Time, GMT+5:30');
    expect(readableZone('Europe/Kiev', JANUARY, 'en-GB')).toMatch(/^Kyiv, /);
  });

  it('does not name a zone twice when its only name is an offset, nor call a POSIX offset zone a city', () => {
    expect(readableZone('UTC', JANUARY, 'en-GB')).toBe('UTC, GMT+0');
    expect(readableZone('Etc/GMT+5', JANUARY, 'en-GB')).toBe('GMT-5');
  });
});
