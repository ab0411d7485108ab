/**
 * Student colors: distinct by default, editable. Each is dark enough for white text and for a 3:1 border
 * contrast on white, so a booked slot is told apart by more than a pale tint. None is the app's own blue
 * (`--primary` in web/src/app.css, buttons and selection) or near it, so a booking never looks like a selection.
 */
export const STUDENT_COLORS = [
  '#047857',
  '#b91c1c',
  '#7c3aed',
  '#b45309',
  '#be185d',
  '#0e7490',
  '#4d7c0f',
  '#c2410c',
  '#a21caf',
  '#0f766e',
  '#9f1239',
  '#854d0e',
] as const;

/** The first palette color no current student has; after that, the least used one. */
export function nextStudentColor(taken: string[]): string {
  const counts = new Map<string, number>(STUDENT_COLORS.map((c) => [c, 0]));
  for (const color of taken)
    if (counts.has(color.toLowerCase())) counts.set(color.toLowerCase(), counts.get(color.toLowerCase())! + 1);
  let best: string = STUDENT_COLORS[0];
  for (const color of STUDENT_COLORS) if (counts.get(color)! < counts.get(best)!) best = color;
  return best;
}

export const isHexColor = (value: string) => /^#[0-9a-f]{6}$/i.test(value);
