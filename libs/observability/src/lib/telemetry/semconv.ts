/**
 * Incubating semantic-convention keys, copied here because the stable
 * entry point of `@opentelemetry/semantic-conventions` does not export them.
 * @see https://opentelemetry.io/docs/specs/semconv/resource/host/
 */
export const ATTR_HOST_NAME = 'host.name';
/** @see https://opentelemetry.io/docs/specs/semconv/resource/#service */
export const ATTR_SERVICE_INSTANCE_ID = 'service.instance.id';
