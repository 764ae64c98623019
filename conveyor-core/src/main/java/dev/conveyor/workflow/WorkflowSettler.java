package dev.conveyor.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.Task;
import dev.conveyor.broker.Broker;
import dev.conveyor.broker.Failure;
import dev.conveyor.broker.StateStore;
import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.worker.RunningJob;
import dev.conveyor.worker.Settlement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of workflows: after a workflow job's handler has run and before its outcome is recorded,
 * moves the workflow on (enqueues what follows, counts a group member), so the continuation exists before the
 * ack. A crash in between costs a second run of the step, whose continuation is a no-op (see
 * {@link WorkflowEngine}). Jobs without workflow headers pass through untouched.
 * <ul>
 *   <li>Succeeded: the workflow goes on with the result (or with the flow the handler fanned out into).</li>
 *   <li>Buried (dead, cancelled): the failure goes up the workflow.</li>
 *   <li>Retried, postponed, handed back: nothing yet; the step runs again.</li>
 *   <li>A limit or malformed workflow data: the step is buried with the reason, and its branch fails.</li>
 *   <li>The store unreachable: the step is postponed {@link #RETRY_AFTER} and runs again.</li>
 * </ul>
 */
public final class WorkflowSettler {
    private static final Logger log = LoggerFactory.getLogger(WorkflowSettler.class);
    /** How long a step waits before running again when its continuation could not be recorded. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final WorkflowEngine engine;
    private final ObjectMapper mapper;
    private final Clock clock;

    public WorkflowSettler(Broker broker, StateStore state, Map<String, Task<?, ?>> tasks, ObjectMapper mapper, Clock clock) {
        this.engine = new WorkflowEngine(broker, state, mapper, clock,
                new StepJobs(tasks, mapper, clock, Workflows.DEFAULT_KEEP));
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Moves the job's workflow on according to how its run ended; returns the settlement to record. */
    public Settlement settle(RunningJob running, Settlement s, Flow replacement) {
        Job job = running.leased().job();
        if (!(s instanceof Settlement.Ack) && !(s instanceof Settlement.Bury)) return s;
        WorkflowLink link;
        try {
            link = WorkflowLink.of(job, mapper);
        } catch (WorkflowFormatException e) {
            log.warn("job {} ({}): {}", job.id(), job.task(), e.getMessage());
            return s instanceof Settlement.Ack ? bury(s, job, e.getMessage()) : s;
        }
        if (link == null) {
            if (replacement != null && s instanceof Settlement.Ack) {
                return bury(s, job, "replaceWith is for jobs of a workflow; this job was enqueued on its own "
                        + "(start a workflow with Conveyor.start instead)");
            }
            return s;
        }
        try {
            if (s instanceof Settlement.Ack a) {
                if (replacement != null) {
                    JsonNode spec = FlowSpec.of(replacement, mapper);
                    engine.replaced(link, job, a.completion().result(), spec);
                } else {
                    engine.succeeded(link, job, a.completion().result());
                }
            } else {
                AttemptError e = ((Settlement.Bury) s).failure().error();
                engine.failed(link, job, e == null ? "failed" : e.message());
            }
            return s;
        } catch (WorkflowFormatException | IllegalArgumentException e) {
            log.warn("workflow {} node {} (job {}): {}", link.workflowId(), link.node(), job.id(), e.getMessage());
            if (!(s instanceof Settlement.Ack)) return s;
            try {
                engine.failed(link, job, e.getMessage());
            } catch (RuntimeException again) {
                log.warn("workflow {}: recording the failure of node {} failed too: {}", link.workflowId(), link.node(),
                        again.toString());
            }
            return bury(s, job, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("workflow {} node {} (job {}): moving the workflow on failed ({}); the step runs again in {}",
                    link.workflowId(), link.node(), job.id(), e.toString(), RETRY_AFTER);
            return new Settlement.Retry(Failure.postpone(s.lease(), clock.instant().plus(RETRY_AFTER)));
        }
    }

    private Settlement bury(Settlement s, Job job, String reason) {
        return new Settlement.Bury(Failure.bury(s.lease(), AttemptError.reason(job.attempt(), clock.instant(),
                "workflow", reason), false));
    }
}
