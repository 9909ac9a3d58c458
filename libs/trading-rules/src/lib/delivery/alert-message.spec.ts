import type { AlertWebhookPayload } from '@freeride/contracts';

import {
  channelMessage,
  renderTemplate,
  templateVariables,
} from './alert-message';

const PAYLOAD: AlertWebhookPayload = {
  alertId: '7d0b3c1e-8a2f-4f7e-9d8c-2f1e0a9b8c7d',
  condition: { threshold: 100, type: 'crossing_up' },
  firedAt: '2026-11-02T14:31:00.000Z',
  idempotencyKey: 'k1',
  name: 'breakout',
  price: 101.25,
  symbol: 'AAPL',
  tickAsOf: '2026-11-02T14:30:59.000Z',
  value: 101.25,
};

describe('renderTemplate', () => {
  it('fills the payload and condition fields a trader names', () => {
    expect(
      renderTemplate(
        '{{symbol}} crossed {{threshold}} at {{ price }}',
        templateVariables(PAYLOAD),
      ),
    ).toBe('AAPL crossed 100 at 101.25');
  });

  it('leaves an unknown placeholder as written', () => {
    expect(renderTemplate('{{symbol}} {{nope}}', { symbol: 'X' })).toBe(
      'X {{nope}}',
    );
  });
});

describe('channelMessage', () => {
  it('sends Slack a text message and Discord a content message without mentions', () => {
    const withText = { ...PAYLOAD, message: 'AAPL crossed 100' };
    const slack = channelMessage('slack', withText);
    const discord = channelMessage('discord', withText);
    expect(slack.kind === 'http' && JSON.parse(slack.body)).toEqual({
      text: 'AAPL crossed 100',
    });
    expect(discord.kind === 'http' && JSON.parse(discord.body)).toEqual({
      allowed_mentions: { parse: [] },
      content: 'AAPL crossed 100',
    });
  });

  it('uses a default text without a template and keeps the payload in the email body', () => {
    const email = channelMessage('email', PAYLOAD);
    expect(email).toMatchObject({
      kind: 'email',
      subject: 'AAPL crossing_up fired at 101.25',
    });
    expect(email.kind === 'email' && email.text).toContain(
      '"idempotencyKey": "k1"',
    );
  });

  it('sends the webhook the payload itself', () => {
    const hook = channelMessage('webhook', PAYLOAD);
    expect(hook.kind === 'http' && JSON.parse(hook.body)).toEqual(PAYLOAD);
  });
});
