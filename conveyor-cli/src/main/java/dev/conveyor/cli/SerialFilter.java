package dev.conveyor.cli;

import java.io.ObjectInputFilter;

/**
 * The {@code conveyor worker} process rejects every Java deserialization, JVM-wide. Conveyor itself reads only
 * JSON; a filter only matters for code the app brings (a library that deserializes what it reads from the
 * network). Only the command sets it, for its own JVM: a library must not set the JVM-wide filter of its host
 * application, so {@code conveyor-core} never does.
 */
final class SerialFilter {
    static final String REJECT_ALL = "!*";

    private SerialFilter() {}

    /**
     * Installs the reject-all filter. Returns false, changing nothing, when the JVM already has one (e.g.
     * {@code -Djdk.serialFilter=...} on the command line: the operator's choice wins).
     */
    static boolean install() {
        if (ObjectInputFilter.Config.getSerialFilter() != null) return false;
        try {
            ObjectInputFilter.Config.setSerialFilter(ObjectInputFilter.Config.createFilter(REJECT_ALL));
            return true;
        } catch (IllegalStateException alreadySet) {
            return false; // set meanwhile (a second worker command in this JVM, in tests)
        }
    }
}
