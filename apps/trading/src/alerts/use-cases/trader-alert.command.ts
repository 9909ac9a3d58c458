/** Identifies one rule of one trader (get, delete, deliveries). */
export class TraderAlertCommand {
  private constructor(
    readonly traderId: string,
    readonly alertId: string,
  ) {}

  static create(traderId: string, alertId: string): TraderAlertCommand {
    return new TraderAlertCommand(traderId, alertId);
  }
}
