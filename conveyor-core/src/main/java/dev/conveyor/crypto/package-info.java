/** Encryption of job args at rest in the broker: {@link dev.conveyor.crypto.ArgsCipher}. */
package dev.conveyor.crypto;
