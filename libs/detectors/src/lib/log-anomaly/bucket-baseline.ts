/**
 * Exponentially weighted mean and variance of a per-bucket quantity.
 * Internal to the log rate primitives.
 */
export class BucketBaseline {
  buckets = 0;
  mean = 0;
  variance = 0;

  constructor(private readonly alpha: number) {}

  /** Learns one bucket's value. */
  learn(value: number): void {
    this.buckets++;
    const alpha = Math.max(this.alpha, 1 / this.buckets);
    const d = value - this.mean;
    this.mean += alpha * d;
    this.variance = (1 - alpha) * (this.variance + alpha * d * d);
  }
}
