import { FlapSuppressor } from './flap-suppressor';

const on = (...keys: string[]) => new Set(keys);

describe('FlapSuppressor', () => {
  describe('#evaluate', () => {
    it('fires once on the first active evaluation when pendingMs is 0', () => {
      const flap = new FlapSuppressor({ keepFiringForMs: 30_000 });
      expect(flap.evaluate(0, on('a'))).toEqual([
        { atMs: 0, key: 'a', sinceMs: 0, type: 'fire' },
      ]);
      expect(flap.evaluate(10_000, on('a'))).toEqual([]);
      expect(flap.state('a')).toBe('firing');
    });

    it('does not fire a condition shorter than pendingMs', () => {
      const flap = new FlapSuppressor({ pendingMs: 20_000 });
      expect(flap.evaluate(0, on('a'))).toEqual([]);
      expect(flap.evaluate(10_000, on('a'))).toEqual([]);
      expect(flap.evaluate(15_000, on())).toEqual([]);
      expect(flap.state('a')).toBe('inactive');
    });

    it('fires once the condition held for pendingMs', () => {
      const flap = new FlapSuppressor({ pendingMs: 20_000 });
      flap.evaluate(0, on('a'));
      expect(flap.evaluate(20_000, on('a'))).toEqual([
        { atMs: 0, key: 'a', sinceMs: 0, type: 'fire' },
      ]);
    });

    it('keeps firing through a dip shorter than keepFiringForMs', () => {
      const flap = new FlapSuppressor({ keepFiringForMs: 30_000 });
      flap.evaluate(0, on('a'));
      expect(flap.evaluate(20_000, on())).toEqual([]);
      expect(flap.evaluate(25_000, on('a'))).toEqual([]);
      expect(flap.state('a')).toBe('firing');
    });

    it('resolves after keepFiringForMs without the condition', () => {
      const flap = new FlapSuppressor({ keepFiringForMs: 30_000 });
      flap.evaluate(0, on('a'));
      flap.evaluate(10_000, on('a'));
      expect(flap.evaluate(39_999, on())).toEqual([]);
      expect(flap.evaluate(40_000, on())).toEqual([
        { atMs: 10_000, key: 'a', sinceMs: 0, type: 'resolve' },
      ]);
      expect(flap.firing()).toEqual([]);
    });

    it('holds a flapping key down for flapWindowMs', () => {
      const flap = new FlapSuppressor({
        flapWindowMs: 100_000,
        keepFiringForMs: 5_000,
        maxFlaps: 2,
      });
      let t = 0;
      const types: string[] = [];
      for (let cycle = 0; cycle < 3; cycle++) {
        types.push(...flap.evaluate(t, on('a')).map((x) => x.type));
        t += 5_000;
        types.push(...flap.evaluate(t, on()).map((x) => x.type));
        t += 1_000;
      }
      expect(types).toEqual(['fire', 'resolve', 'fire', 'resolve', 'fire']);
      expect(flap.evaluate(t + 50_000, on())).toEqual([]);
      expect(flap.evaluate(t + 100_000, on()).map((x) => x.type)).toEqual([
        'resolve',
      ]);
    });

    it('tracks keys independently', () => {
      const flap = new FlapSuppressor({ keepFiringForMs: 1_000 });
      expect(flap.evaluate(0, on('a', 'b')).map((x) => x.key)).toEqual([
        'a',
        'b',
      ]);
      expect(flap.evaluate(2_000, on('a')).map((x) => x.key)).toEqual(['b']);
      expect(flap.firing()).toEqual(['a']);
    });
  });
});
