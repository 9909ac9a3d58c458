import { ClientKeyRegistry, parseClientKeys } from './client-keys';

describe('parseClientKeys', () => {
  it('reads name=key pairs', () => {
    expect(
      parseClientKeys(' trading=aaaaaaaaaaaaaaaa , python=bbbbbbbbbbbbbbbb'),
    ).toEqual([
      { key: 'aaaaaaaaaaaaaaaa', name: 'trading' },
      { key: 'bbbbbbbbbbbbbbbb', name: 'python' },
    ]);
    expect(parseClientKeys('')).toEqual([]);
  });

  it.each([
    ['Trading=aaaaaaaaaaaaaaaa', /lower-case name/],
    ['trading=short', /at least 16 characters/],
    ['a=aaaaaaaaaaaaaaaa,a=bbbbbbbbbbbbbbbb', /listed twice/],
    ['no-equals-sign', /expected name=key/],
  ])('refuses %s without echoing the key', (spec, message) => {
    const messageOf = (text: string) => {
      try {
        parseClientKeys(text);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(messageOf(spec)).toMatch(message);
    expect(messageOf(spec)).not.toContain('aaaaaaaaaaaaaaaa');
  });
});

describe('ClientKeyRegistry', () => {
  const registry = new ClientKeyRegistry(
    parseClientKeys('trading=aaaaaaaaaaaaaaaa'),
  );

  it('names the client of a bearer key, nothing for others', () => {
    expect(registry.enabled).toBe(true);
    expect(registry.identify('Bearer aaaaaaaaaaaaaaaa')).toBe('trading');
    expect(registry.identify('Bearer aaaaaaaaaaaaaaab')).toBeUndefined();
    expect(registry.identify('aaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(registry.identify(undefined)).toBeUndefined();
    expect(new ClientKeyRegistry([]).enabled).toBe(false);
  });
});
