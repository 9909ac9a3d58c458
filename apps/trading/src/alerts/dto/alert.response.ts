import type {
  AlertCondition,
  AlertDelivery,
  AlertTrigger,
} from '@freeride/contracts';

/** An alert rule as the API returns it. */
export interface AlertResponse {
  active: boolean;
  condition: AlertCondition;
  createdAt: string;
  /** `fired` (once rules), `expired` or `deleted` when inactive. */
  deactivatedReason: string | null;
  delivery: AlertDelivery;
  expiresAt: string | null;
  fireCount: number;
  id: string;
  lastFiredAt: string | null;
  name: string | null;
  symbol: string;
  trigger: AlertTrigger;
}

/** One firing of a rule and the state of its webhook delivery. */
export interface DeliveryResponse {
  attempts: number;
  deliveredAt: string | null;
  firedAt: string;
  id: string;
  idempotencyKey: string;
  lastError: string | null;
  lastStatusCode: number | null;
  /** `pending`, `retrying`, `delivered` or `dead` (in the dead-letter list). */
  status: string;
  tickAsOf: string;
  value: number;
}

/** A page of items. */
export interface ListResponse<T> {
  items: T[];
}

/** The answer of `POST /v1/alerts/backtest`. */
export interface BacktestResponse {
  /** The replayed bars (the price series to chart). */
  bars: Array<{ close: number; start: string }>;
  /** When the rule would have fired: the bar's start, its close, the matched value. */
  fires: Array<{ at: string; price: number; value: number }>;
  interval: string;
  symbol: string;
}
