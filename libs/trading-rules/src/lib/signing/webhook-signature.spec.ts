import {
  WebhookSignatureError,
  signWebhook,
  verifyWebhookSignature,
} from './webhook-signature';

function capture(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('verifyWebhookSignature', () => {
  const body = '{"alertId":"a"}';
  const secret = 'whsec_test';
  const header = signWebhook({ body, secret, timestamp: 1_700_000_000 });

  it('accepts a signature made with the same secret within tolerance', () => {
    expect(
      verifyWebhookSignature({ body, header, now: 1_700_000_100, secret }),
    ).toEqual({
      timestamp: 1_700_000_000,
    });
  });

  it.each([
    ['a tampered body', { body: '{"alertId":"b"}' }, 'signature mismatch'],
    ['another secret', { secret: 'other' }, 'signature mismatch'],
    ['an old timestamp', { now: 1_700_000_301 }, 'timestamp outside tolerance'],
    ['a missing header', { header: undefined }, 'missing header'],
    ['a malformed header', { header: 'v1=abc' }, 'malformed header'],
  ])('rejects %s', (_case, override, reason) => {
    const err = capture(() =>
      verifyWebhookSignature({
        body,
        header,
        now: 1_700_000_000,
        secret,
        ...override,
      }),
    );
    expect(err).toBeInstanceOf(WebhookSignatureError);
    expect((err as WebhookSignatureError).details).toEqual({ reason });
  });

  it('signs "t.body" with HMAC-SHA256 in hex', () => {
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
  });
});
