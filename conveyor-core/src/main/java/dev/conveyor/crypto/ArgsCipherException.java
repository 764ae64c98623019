package dev.conveyor.crypto;

/** Sealed args that cannot be opened here: unknown key id, wrong key, another task's args, or altered. */
public final class ArgsCipherException extends RuntimeException {
    public ArgsCipherException(String message) {
        super(message);
    }
}
