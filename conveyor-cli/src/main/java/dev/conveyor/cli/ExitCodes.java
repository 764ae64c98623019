package dev.conveyor.cli;

/** The exit codes of every {@code conveyor} command. */
final class ExitCodes {
    /** Done. */
    static final int OK = 0;
    /** Failed at run time: the broker cannot be opened or reached, an unknown job id, a failed demo check. */
    static final int FAILURE = 1;
    /** Wrong arguments (bad option, bad JSON, bad duration, …): a one-line error and a usage hint. */
    static final int USAGE = 2;

    private ExitCodes() {}
}
