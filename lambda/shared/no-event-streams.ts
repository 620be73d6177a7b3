/**
 * Replaces `@smithy/core/event-streams` in the function bundles (an esbuild alias set by
 * BrokerFunction). The SDK uses it only for operations that stream events (S3's
 * SelectObjectContent, say), and none of the broker's calls does: ~13 KB less to load at every
 * cold start. A client still gets an event-stream marshaller, which refuses if ever used.
 */
function notBundled(): never {
  throw new Error('event streams are not bundled into the broker functions');
}

export const EventStreamSerde = notBundled;

/** What client runtime configs call to make the marshaller: one that refuses every use. */
export const eventStreamSerdeProvider = () => ({ serialize: notBundled, deserialize: notBundled });

/** As the real one: the client config gains the marshaller its provider makes. */
export const resolveEventStreamSerdeConfig = <T extends { eventStreamSerdeProvider: (input: T) => unknown }>(input: T) =>
  Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });
