package dev.conveyor.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.JobHandle;
import dev.conveyor.job.Job;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code conveyor enqueue TASK ARGS}: enqueues one job by task name with JSON args and prints its id. */
@Command(name = "enqueue", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
            "Enqueues one job of TASK with ARGS (JSON) and prints its id.",
            "",
            "The task need not be known here: a worker that registered it runs the job."
        },
        footer = {
            "",
            "Examples:",
            "  conveyor enqueue send_report '{\"userId\": 42}'",
            "  conveyor enqueue send_report '{\"userId\": 42}' --queue emails --delay 5m",
            "  conveyor enqueue nightly '{}' --unique-key nightly-2025-06-01",
            "",
            "With --unique-key, a second enqueue while the first job is unfinished enqueues",
            "nothing and prints \"duplicate of ID\"."
        })
final class EnqueueCommand extends BrokerCommand {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    @Parameters(index = "0", paramLabel = "TASK", description = "The task's name.")
    String task;

    @Parameters(index = "1", paramLabel = "ARGS", arity = "0..1", defaultValue = "{}",
            description = "The args as JSON (default: ${DEFAULT-VALUE}). Quote it for the shell.")
    String args;

    @Option(names = "--queue", paramLabel = "QUEUE",
            description = "Queue to put the job on (default: " + Job.DEFAULT_QUEUE + ").")
    String queue;

    @Option(names = "--delay", paramLabel = "DURATION",
            description = "Run no sooner than this from now: 30s, 5m, 2h, 1d or PT30S.")
    Duration delay;

    @Option(names = "--priority", paramLabel = "0-9",
            description = "Priority 0-9, higher runs first (default: " + Job.DEFAULT_PRIORITY + ").")
    Integer priority;

    @Option(names = "--unique-key", paramLabel = "KEY",
            description = "While an unfinished job with this key exists in the queue, enqueue nothing and "
                    + "print that job's id as a duplicate.")
    String uniqueKey;

    @Override
    protected int run() {
        String json = validJson(args);
        EnqueueOptions options = options();
        try (Conveyor conveyor = open()) {
            JobHandle<JsonNode> job;
            try {
                job = conveyor.enqueueJson(task, json, options);
            } catch (IllegalArgumentException e) {
                throw CliException.usage(Errors.message(e));
            }
            if (job.isDuplicate()) {
                out().println("duplicate of " + job.id() + " (an unfinished job holds unique key '" + uniqueKey
                        + "' in queue '" + (queue != null ? queue : Job.DEFAULT_QUEUE) + "'); nothing enqueued");
            } else {
                out().println(job.id());
            }
        }
        return ExitCodes.OK;
    }

    /** Checks the JSON before any broker is opened, so a typo costs nothing and says where it is. */
    static String validJson(String text) {
        if (text == null || text.isBlank()) throw CliException.usage("ARGS is empty; give JSON such as '{}'");
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || node.isMissingNode()) throw CliException.usage("ARGS is empty; give JSON such as '{}'");
            return node.toString();
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw CliException.usage("ARGS is not valid JSON: " + Errors.oneLine(e.getOriginalMessage()) + where);
        }
    }

    private EnqueueOptions options() {
        try {
            Job.requireTaskName(task);
            EnqueueOptions o = EnqueueOptions.defaults();
            if (queue != null) o = o.queue(queue);
            if (delay != null) o = o.delay(delay);
            if (priority != null) o = o.priority(priority);
            if (uniqueKey != null) o = o.uniqueKey(uniqueKey);
            return o;
        } catch (IllegalArgumentException e) {
            throw CliException.usage(Errors.message(e));
        }
    }
}
