import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nextStudentColor, STUDENT_COLORS } from './colors.ts';

describe('assigning student colors', () => {
  it('gives each new student a color no one else has while the palette lasts', () => {
    const taken: string[] = [];
    for (let i = 0; i < STUDENT_COLORS.length; i++) taken.push(nextStudentColor(taken));
    expect(new Set(taken).size).toBe(STUDENT_COLORS.length);
  });
  it('then reuses the least used color', () => {
    const taken = [...STUDENT_COLORS, STUDENT_COLORS[0]];
    expect(nextStudentColor(taken)).toBe(STUDENT_COLORS[1]);
  });
});

/** Hue in degrees of a #rrggbb color. */
function hue(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

describe('the default palette and the app’s own colors', () => {
  const css = readFileSync(join(import.meta.dirname, '../../web/src/app.css'), 'utf8');
  const appColor = (name: string) => new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`, 'i').exec(css)![1]!;

  it('keeps every default student color at least 25° of hue away from the app’s blue (--primary)', () => {
    const own = hue(appColor('primary'));
    for (const color of STUDENT_COLORS) {
      const apart = Math.abs(hue(color) - own);
      expect(Math.min(apart, 360 - apart), `${color} is too near --primary`).toBeGreaterThanOrEqual(25);
    }
  });
});
