/**
 * Cron schedules: jobs enqueued at fire times computed from a cron expression or a fixed interval, exactly once per
 * tick however many schedulers run.
 */
package dev.conveyor.schedule;
