import { startAlertmanager } from './alertmanager';
import type { MonitoringServer } from './alertmanager';
import { renderAlertmanagerConfig } from './alertmanager-config';
import { makeTempDir, removeTempDir } from './temp-dir';
import { startWebhookReceiver } from './webhook-receiver';
import type { WebhookReceiver } from './webhook-receiver';

/** A real Alertmanager, running the committed config, that delivers to a local receiver. */
export interface PagingPath {
  readonly alertmanager: MonitoringServer;
  readonly receiver: WebhookReceiver;
  /** Stops Alertmanager and the receiver and removes the config directory. */
  close(): Promise<void>;
}

/** Starts the receiver, then Alertmanager with the committed config pointed at it. */
export async function startPagingPath(tempPrefix: string): Promise<PagingPath> {
  const receiver = await startWebhookReceiver();
  const dir = makeTempDir(tempPrefix);
  try {
    const alertmanager = await startAlertmanager({
      configFile: renderAlertmanagerConfig({ dir, receiverUrl: receiver.url }),
    });
    return {
      alertmanager,
      receiver,
      async close() {
        await alertmanager.stop();
        await receiver.close();
        removeTempDir(dir);
      },
    };
  } catch (err) {
    await receiver.close();
    removeTempDir(dir);
    throw err;
  }
}
