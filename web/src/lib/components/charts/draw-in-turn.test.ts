import { describe, expect, it } from 'vitest';
import { drawInTurn } from './draw-in-turn.ts';

/** Resolves once every task queued so far (and the draws they queue) has run. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve));
};

describe('drawInTurn', () => {
  it('draws charts in the order they asked for, whatever order their code arrives in', async () => {
    const drawn: string[] = [];
    let releaseFirst!: () => void;
    const firstArrives = new Promise<string>((resolve) => (releaseFirst = () => resolve('trend')));
    drawInTurn(
      () => firstArrives,
      (name) => drawn.push(name),
    );
    drawInTurn(
      () => Promise.resolve('heat map'),
      (name) => drawn.push(name),
    );
    await settle();
    expect(drawn).toEqual([]);
    releaseFirst();
    await settle();
    expect(drawn).toEqual(['trend', 'heat map']);
  });

  it('skips a chart whose code fails to load and still draws the ones after it', async () => {
    const drawn: string[] = [];
    drawInTurn(
      () => Promise.reject(new Error('offline')),
      () => drawn.push('bars'),
    );
    drawInTurn(
      () => Promise.resolve('subjects'),
      (name) => drawn.push(name),
    );
    await settle();
    expect(drawn).toEqual(['subjects']);
  });
});
