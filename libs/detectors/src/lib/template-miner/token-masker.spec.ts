import { maskMessage, maskToken } from './token-masker';

describe('maskToken', () => {
  it.each([
    ['url', 'https://example.com/a?b=1', '<*>'],
    ['uuid', 'b9000564-fe1a-409b-b8cc-1e88b294cd1d', '<*>'],
    ['ip', '10.250.19.102:50010', '<*>'],
    ['ip', '/10.250.19.102', '<*>'],
    ['ip', 'fe80::1ff:fe23:4567:890a', '<*>'],
    ['host', 'proxy.cse.cuhk.edu.hk:5070', '<*>'],
    ['path', '/var/lib/ganglia/rrds/a.rrd', '<*>'],
    ['duration', '250ms', '<*>'],
    ['size', '3.2GB', '<*>'],
    ['hex', '0x7f3a', '<*>'],
    ['hex', '00:1a:2b:3c:4d:5e', '<*>'],
    ['number', '-42.5', '<*>'],
    ['number', '12:30:05', '<*>'],
    ['digits', 'blk_-3544583377289625738', '<*>'],
  ])('masks a %s token (%s)', (kind, token, masked) => {
    expect(maskToken(token)).toEqual({ kind, masked });
  });

  it('keeps brackets and trailing punctuation around a masked value', () => {
    expect(maskToken('(0x1f),').masked).toBe('(<*>),');
    expect(maskToken('[10.0.0.1]').masked).toBe('[<*>]');
  });

  it('masks only the pieces holding digits in a compound token', () => {
    expect(maskToken('totalSteps=1234').masked).toBe('totalSteps=<*>');
    expect(maskToken('mice.c(1234)').masked).toBe('mice.c(<*>)');
    expect(maskToken('operation.......0').masked).toBe('operation.......<*>');
  });

  it('keeps a word before a numeric dotted suffix', () => {
    expect(maskToken('core.2275').masked).toBe('core.<*>');
  });

  it('collapses wildcards joined only by separators into one', () => {
    expect(maskToken('R12-M0-N5:J18-U11')).toEqual({
      kind: 'digits',
      masked: '<*>',
    });
  });

  it('masks eight or more hex digits even without a decimal digit', () => {
    expect(maskToken('mask=ffffffff').masked).toBe('mask=<*>');
  });

  it('treats an empty bracketed value as a variable', () => {
    expect(maskToken('()')).toEqual({ kind: 'empty', masked: '(<*>)' });
  });

  it('keeps words, and names that end in one digit', () => {
    expect(maskToken('Starting')).toEqual({
      kind: undefined,
      masked: 'Starting',
    });
    expect(maskToken('SOCKS5').masked).toBe('SOCKS5');
    expect(maskToken('ssh2').masked).toBe('ssh2');
  });
});

describe('maskMessage', () => {
  it('keeps a unit word after a number constant', () => {
    const { masked, tokens } = maskMessage('took 3.2 ms, sent 10 KB.');
    expect(masked).toEqual(['took', '<*>', 'ms,', 'sent', '<*>', 'KB.']);
    expect(tokens).toEqual(['took', '3.2', 'ms,', 'sent', '10', 'KB.']);
  });

  it('never joins messages whose constant words differ', () => {
    const masked = (m: string): string => maskMessage(m).masked.join(' ');
    expect(masked('1234 bytes (1.2 KB) sent')).toBe('<*> bytes (<*> KB) sent');
    expect(masked('1234 bytes (1.2 KB) sent')).not.toBe(
      masked('1234 bytes (1.2 MB) sent'),
    );
    expect(masked('1234 bytes sent')).not.toBe(
      masked('1234 bytes (1.2 KB) sent'),
    );
    expect(masked('lifetime <1 sec')).not.toBe(masked('lifetime 2 min'));
  });

  it('masks a date-time written with spaces as one variable', () => {
    const { masked, tokens } = maskMessage(
      'connection at Fri Jun 17 20:55:07 2005 done',
    );
    expect(masked).toEqual(['connection', 'at', '<*>', 'done']);
    expect(tokens[2]).toBe('Fri Jun 17 20:55:07 2005');
    expect(maskMessage('at 2016-09-28 04:30:30.123, ok').masked).toEqual([
      'at',
      '<*>',
      ',',
      'ok',
    ]);
  });
});
