import { TemplateMiner } from './template-miner';

describe('TemplateMiner', () => {
  describe('#add', () => {
    it('creates a template with masked variables and extracts the parameters', () => {
      const miner = new TemplateMiner();
      const m = miner.add('Connection from 10.0.0.7:5432 closed after 120 ms');
      expect(m).toMatchObject({
        isNew: true,
        params: ['10.0.0.7:5432', '120'],
        template: 'Connection from <*> closed after <*> ms',
      });
      const again = miner.add('Connection from 10.0.0.9:80 closed after 3 ms');
      expect(again.isNew).toBe(false);
      expect(again.templateId).toBe(m.templateId);
      expect(again.params).toEqual(['10.0.0.9:80', '3']);
    });

    it('extracts the values inside compound tokens', () => {
      const miner = new TemplateMiner();
      expect(miner.add('audit(1122:33): uid=0 ok').params).toEqual([
        '1122',
        '33',
        '0',
      ]);
    });

    it('puts a list of another length into the template of the list', () => {
      const miner = new TemplateMiner();
      const long = miner.add('failed to resolve source name a11 a12 a13 a14');
      const short = miner.add('failed to resolve source name b1x c2y');
      expect(short.templateId).toBe(long.templateId);
      expect(short.params).toEqual(['b1x', 'c2y']);
      expect(short.template).toBe(
        'failed to resolve source name <*> <*> <*> <*>',
      );
      // A single item joins when it is a value, not when it is a word.
      expect(miner.add('failed to resolve source name x1y').templateId).toBe(
        long.templateId,
      );
      expect(
        miner.add('failed to resolve source name nothing').templateId,
      ).not.toBe(long.templateId);
    });

    it('merges the shorter lists seen before a list template appears', () => {
      const miner = new TemplateMiner();
      const one = miner.add('ask 10.0.0.1:50010 to delete blk_1');
      const many = miner.add('ask 10.0.0.2:50010 to delete blk_2 blk_3 blk_4');
      expect(many.changed).toBe(true);
      expect(miner.resolve(many.templateId)).toBe(one.templateId);
      expect(miner.resolve(one.templateId)).toBe(one.templateId);
      expect(miner.templateOf(one.templateId)).toBe(
        'ask <*> to delete <*> <*> <*>',
      );
      expect(miner.add('ask 10.0.0.3:50010 to delete blk_5').templateId).toBe(
        one.templateId,
      );
    });

    it('keeps lists of repeated groups together', () => {
      const miner = new TemplateMiner();
      const a = miner.add('inconsistent nodesets n-1 0x1 <ok> n-2 0x2 <ok>');
      const b = miner.add(
        'inconsistent nodesets n-1 0x1 <ok> n-2 0x2 <ok> n-3 0x3 <ok>',
      );
      expect(miner.resolve(b.templateId)).toBe(miner.resolve(a.templateId));
    });

    it('keeps a short message with one masked value apart from its neighbours', () => {
      const miner = new TemplateMiner();
      const ids = ['boot', 'wait', 'halt', 'ping'].map(
        (command, i) =>
          miner.add(`${command} (command ${2339 + i})`).templateId,
      );
      expect(new Set(ids).size).toBe(4);
    });

    it('keeps templates apart that differ in a word seen with few values', () => {
      const miner = new TemplateMiner();
      const start = miner.add('Starting TrustedInstaller initialization.');
      const end = miner.add('Ending TrustedInstaller initialization.');
      expect(start.templateId).not.toBe(end.templateId);
      expect(miner.templateOf(start.templateId)).toBe(
        'Starting TrustedInstaller initialization.',
      );
    });

    it('generalises a position once enough distinct values agree everywhere else', () => {
      const miner = new TemplateMiner({ variableThreshold: 3 });
      const first = miner.add('Invalid user admin from 1.2.3.4');
      miner.add('Invalid user oracle from 1.2.3.5');
      const third = miner.add('Invalid user webmaster from 1.2.3.6');
      expect(third).toMatchObject({
        changed: true,
        template: 'Invalid user <*> from <*>',
      });
      expect(miner.resolve(first.templateId)).toBe(third.templateId);
      expect(miner.templateOf(first.templateId)).toBe(
        'Invalid user <*> from <*>',
      );
      expect(miner.add('Invalid user guest from 1.2.3.7')).toMatchObject({
        isNew: false,
        params: ['guest', '1.2.3.7'],
        templateId: third.templateId,
      });
    });

    it('keeps the punctuation the values share when a position generalises', () => {
      const miner = new TemplateMiner();
      miner.add('synchronized to ntp-a.example.org, stratum 2');
      miner.add('synchronized to ntp-b.example.org, stratum 2');
      const third = miner.add('synchronized to time.example.net, stratum 3');
      expect(third.template).toBe('synchronized to <*>, stratum <*>');
      expect(third.params).toEqual(['time.example.net', '3']);
    });

    it('does not generalise a template below half constant tokens', () => {
      const miner = new TemplateMiner();
      for (const word of ['alpha', 'beta', 'gamma', 'delta']) {
        miner.add(`${word} done`);
      }
      const ids = new Set(
        ['alpha', 'beta', 'gamma', 'delta'].map(
          (w) => miner.add(`${w} done`).templateId,
        ),
      );
      expect(ids.size).toBe(1);
      expect(miner.templates()[0].template).toBe('<*> done');
      for (const word of ['one', 'two', 'three', 'four']) {
        miner.add(`${word} ${word}`);
      }
      expect(miner.templates().some((t) => t.template === '<*> <*>')).toBe(
        false,
      );
    });

    it('covers earlier templates when a masked value shows the position is variable', () => {
      const miner = new TemplateMiner();
      const named = miner.add('Invalid user webmaster from 1.2.3.4');
      const numeric = miner.add('Invalid user 0 from 1.2.3.4');
      expect(numeric.template).toBe('Invalid user <*> from <*>');
      expect(miner.resolve(named.templateId)).toBe(numeric.templateId);
    });

    it('forgets the least recently seen template beyond maxTemplates', () => {
      const miner = new TemplateMiner({ maxTemplates: 2 });
      const a = miner.add('alpha service started');
      miner.add('beta worker stopped now');
      miner.add('gamma queue drained fully today');
      expect(miner.size).toBe(2);
      expect(miner.templateOf(a.templateId)).toBeUndefined();
    });
  });

  describe('#toJSON / fromJSON', () => {
    it('keeps template ids, aliases and learned evidence across a restart', () => {
      const miner = new TemplateMiner();
      const a = miner.add('Invalid user admin from 1.2.3.4');
      const b = miner.add('Invalid user oracle from 1.2.3.5');
      const saved = JSON.parse(JSON.stringify(miner.toJSON())) as ReturnType<
        TemplateMiner['toJSON']
      >;
      const restored = TemplateMiner.fromJSON(saved);
      expect(restored.add('Invalid user admin from 9.9.9.9').templateId).toBe(
        a.templateId,
      );
      const third = restored.add('Invalid user webmaster from 1.2.3.6');
      expect(third.template).toBe('Invalid user <*> from <*>');
      expect(restored.resolve(b.templateId)).toBe(third.templateId);
      expect(TemplateMiner.fromJSON(restored.toJSON()).templates()).toEqual(
        restored.templates(),
      );
    });

    it('derives the same ids from the same messages in a fresh process', () => {
      const one = new TemplateMiner().add('disk /dev/sda1 is 91% full');
      const two = new TemplateMiner().add('disk /dev/sdb2 is 12% full');
      expect(one.templateId).toBe(two.templateId);
    });

    it('rejects a state of another version', () => {
      const state = {
        ...new TemplateMiner().toJSON(),
        version: 1,
      } as unknown as ReturnType<TemplateMiner['toJSON']>;
      expect(() => TemplateMiner.fromJSON(state)).toThrow(
        'unsupported TemplateMiner state version 1',
      );
    });
  });
});
