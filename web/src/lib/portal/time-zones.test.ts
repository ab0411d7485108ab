import { describe, expect, it } from 'vitest';
import { allZones, currentZoneName, searchZones, zoneLabel, zoneStorageKey } from './time-zones.ts';

describe('time zones as a person reads them', () => {
  const zones = allZones('en-GB', Date.UTC(2027, 0, 15));

  it('lists each zone once, under its current name, never an outdated one', () => {
    const ids = zones.map((z) => z.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('Asia/Kolkata');
    expect(ids).toContain('Europe/Kyiv');
    expect(ids).not.toContain('Asia/Calcutta');
    expect(ids).not.toContain('Europe/Kiev');
    expect(currentZoneName('Asia/Calcutta')).toBe('Asia/Kolkata');
    expect(currentZoneName('Europe/Berlin')).toBe('Europe/Berlin');
  });

  it('names a zone by its city, its name and its offset', () => {
    const kolkata = zones.find((z) => z.id === 'Asia/Kolkata')!;
    expect(zoneLabel(kolkata)).toBe('Kolkata · India Standard Time (GMT+5:30)');
  });

  it('finds zones by any words of the label, in any case', () => {
    expect(searchZones(zones, 'india').map((z) => z.id)).toContain('Asia/Kolkata');
    expect(searchZones(zones, 'NEW york').map((z) => z.id)).toEqual(['America/New_York']);
    expect(searchZones(zones, 'gmt+5:30').map((z) => z.id)).toContain('Asia/Kolkata');
    expect(searchZones(zones, '')).toHaveLength(zones.length);
    expect(searchZones(zones, 'atlantis')).toEqual([]);
  });

  it('lists the best matches first: whole words of the label, then a city by its start', () => {
    // "india" is also inside Indianapolis and the Indian Ocean's zones, listed before Kolkata by offset.
    // (Colombo keeps India Standard Time too, and comes first by name.)
    expect(
      searchZones(zones, 'india')
        .slice(0, 2)
        .map((z) => z.id),
    ).toEqual(['Asia/Colombo', 'Asia/Kolkata']);
    expect(searchZones(zones, 'kolk')[0]!.id).toBe('Asia/Kolkata');
    expect(searchZones(zones, 'san')[0]!.city.startsWith('San')).toBe(true);
    expect(searchZones(zones, 'india').map((z) => z.id)).toContain('Indian/Maldives');
    expect(searchZones(zones, 'indianap')[0]!.id).toBe('America/Indiana/Indianapolis');
  });

  it('remembers a zone per link under a key that does not hold the token', () => {
    const token = 'abcdefghijklmnopqrstuvwxyz234567';
    expect(zoneStorageKey(token)).not.toContain(token.slice(0, 6));
    expect(zoneStorageKey(token)).not.toBe(zoneStorageKey(token.replace('a', 'b')));
  });
});
