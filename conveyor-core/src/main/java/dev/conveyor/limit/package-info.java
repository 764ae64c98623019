/**
 * Rate and concurrency limits per task and per key derived from args, enforced across every worker through the
 * broker's shared state. A job over a limit is postponed, not failed: it uses no attempt and records no error.
 */
package dev.conveyor.limit;
