import { type AlertDelivery, AlertDeliverySchema } from '@freeride/contracts';

/** A rule's delivery as the schema reads it, and where it goes (for errors, logs and spans). */
export interface ParsedDelivery {
  delivery: AlertDelivery;
  /** `channel`, or `channel:host` (a host, never a path or an address). */
  destination: string;
}

/** By the object parsed: a rule's firings share its `delivery`. */
const parsed = new WeakMap<AlertDelivery, ParsedDelivery>();

/**
 * A target's delivery as the schema reads it (rules stored before channels
 * existed have no `channel`: the schema's default fills it), parsed once per
 * delivery object. The rule book parses it when a rule is armed, so a burst
 * of firings does not run the schema on the delivery path.
 */
export function parsedDelivery(delivery: AlertDelivery): ParsedDelivery {
  let entry = parsed.get(delivery);
  if (!entry) {
    const read = AlertDeliverySchema.parse(delivery);
    const { channel, webhookUrl } = read;
    entry = {
      delivery: read,
      destination:
        channel === 'email' || webhookUrl === undefined
          ? channel
          : `${channel}:${new URL(webhookUrl).host}`,
    };
    parsed.set(delivery, entry);
  }
  return entry;
}
