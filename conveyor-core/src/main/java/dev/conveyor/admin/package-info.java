/**
 * Operator logic shared by the CLI and the dashboard: filtering jobs beyond what {@link dev.conveyor.broker.JobQuery}
 * pushes down ({@link JobSearch}), and re-driving dead jobs by filter with a dry-run count ({@link DeadLetters}).
 * Everything here goes through the {@link dev.conveyor.broker.JobStore} SPI, so it works on every broker.
 */
package dev.conveyor.admin;
