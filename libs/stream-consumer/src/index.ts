// Public entry of @freeride/stream-consumer: one consumer-group reader for every stream consumer.
export { ConsumerGroupReader, fieldMap } from './lib/consumer-group-reader';
export type {
  ConsumerGroupReaderOptions,
  EntrySource,
  StreamBatch,
  StreamClient,
  StreamEntry,
} from './lib/consumer-group-reader';
export { CLUSTER_SLOTS, groupBySlot, hashTagged, slotOf } from './lib/slots';
export { PartitionLeases } from './lib/partition-leases';
export type { PartitionLeasesOptions } from './lib/partition-leases';
