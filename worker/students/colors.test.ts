import { describe, expect, it } from 'vitest';
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
