package dev.conveyor.testkit;

import dev.conveyor.job.Job;
import dev.conveyor.job.JobIds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Builds {@link Job}s for broker-level tests: every field settable, sensible defaults, due now. */
final class JobSpec {
    static final String NOOP_TASK = "conformance.noop";

    private final Clock clock;
    private String id;
    private String task = NOOP_TASK;
    private final String queue;
    private String args = "{\"n\":0}";
    private Map<String, String> headers = Map.of();
    private int priority = Job.DEFAULT_PRIORITY;
    private int maxAttempts = 10;
    private int maxDeliveries = 3;
    private Instant runAt;
    private Instant enqueuedAt;
    private Instant expiresAt;
    private Duration timeout;
    private String uniqueKey;
    private Duration uniqueFor;
    private String parentId;
    private String groupId;

    JobSpec(Clock clock, String queue) {
        this.clock = clock;
        this.queue = queue;
    }

    String queue() { return queue; }
    JobSpec id(String id) { this.id = id; return this; }
    JobSpec task(String task) { this.task = task; return this; }
    JobSpec args(String json) { this.args = json; return this; }
    JobSpec headers(Map<String, String> headers) { this.headers = headers; return this; }
    JobSpec priority(int priority) { this.priority = priority; return this; }
    JobSpec maxAttempts(int n) { this.maxAttempts = n; return this; }
    JobSpec maxDeliveries(int n) { this.maxDeliveries = n; return this; }
    JobSpec runAt(Instant runAt) { this.runAt = runAt; return this; }
    JobSpec delay(Duration delay) { this.runAt = clock.instant().plus(delay); return this; }
    JobSpec enqueuedAt(Instant at) { this.enqueuedAt = at; return this; }
    JobSpec expiresAt(Instant at) { this.expiresAt = at; return this; }
    JobSpec timeout(Duration timeout) { this.timeout = timeout; return this; }
    JobSpec uniqueKey(String key) { this.uniqueKey = key; return this; }
    JobSpec uniqueFor(Duration d) { this.uniqueFor = d; return this; }
    JobSpec parentId(String id) { this.parentId = id; return this; }
    JobSpec groupId(String id) { this.groupId = id; return this; }

    Job build() {
        Instant now = clock.instant();
        return new Job(id != null ? id : JobIds.next(clock), task, queue, args, headers, priority, 0, 0,
                maxAttempts, maxDeliveries, runAt != null ? runAt : now, enqueuedAt != null ? enqueuedAt : now,
                expiresAt, timeout, uniqueKey, uniqueFor, parentId, groupId);
    }
}
