package dev.conveyor.broker;

/**
 * Implemented by brokers that other languages may write to directly (a Redis list, a SQL table): stores one
 * envelope text exactly as given, without validating it, the way a foreign producer would. The conformance
 * suite uses it to prove that corrupt records are dead-lettered with a clear reason, never crash a worker and
 * are never dropped.
 */
public interface RawEnvelopeSink {
    /**
     * Stores {@code envelope} as a ready job on {@code queue}. If it cannot be decoded when fetched, the broker
     * moves it to the dead set with a reason naming the problem, under an id it assigns when the envelope has
     * none usable. Returns that id when the broker can tell it at once (else null).
     */
    String insertRawEnvelope(String queue, String envelope);
}
