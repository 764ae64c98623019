package dev.conveyor.trace;

import java.util.Map;
import java.util.regex.Pattern;

/** The W3C Trace Context header names as jobs carry them, and a check of a {@code traceparent}'s form. */
public final class TraceHeaders {
    /** {@code traceparent}: version, trace id, parent span id and flags, e.g. {@code 00-<32 hex>-<16 hex>-01}. */
    public static final String TRACEPARENT = "traceparent";
    /** {@code tracestate}: vendor-specific trace data that travels with {@link #TRACEPARENT}. */
    public static final String TRACESTATE = "tracestate";

    // Version 00's layout; an all-zero trace or span id is invalid (W3C Trace Context, section 3.2).
    private static final Pattern TRACEPARENT_FORM =
            Pattern.compile("[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");

    private TraceHeaders() {}

    /** True when {@code value} has the form of a W3C {@code traceparent}. */
    public static boolean isTraceparent(String value) {
        return value != null && TRACEPARENT_FORM.matcher(value).matches();
    }

    /**
     * A propagator that copies a fixed trace context into every job: for tests, and for code that keeps its
     * current {@code traceparent} itself (a request filter storing it in a scoped value, say).
     */
    public static HeaderPropagator fixed(String traceparent, String tracestate) {
        if (!isTraceparent(traceparent)) {
            throw new IllegalArgumentException("not a W3C traceparent: " + traceparent);
        }
        Map<String, String> headers = tracestate == null ? Map.of(TRACEPARENT, traceparent)
                : Map.of(TRACEPARENT, traceparent, TRACESTATE, tracestate);
        return () -> headers;
    }
}
