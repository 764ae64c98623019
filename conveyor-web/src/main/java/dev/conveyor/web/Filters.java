package dev.conveyor.web;

import dev.conveyor.admin.JobFilter;
import dev.conveyor.job.JobState;
import io.javalin.http.Context;
import java.util.Locale;

/** A {@link JobFilter} from a request's parameters ({@code state, queue, task, id, args, error}). */
final class Filters {
    private Filters() {}

    static JobFilter from(Context ctx, com.fasterxml.jackson.databind.ObjectMapper mapper, JobState forced) {
        JobState state = forced != null ? forced : state(Req.param(ctx, "state", mapper));
        return new JobFilter(state, Req.param(ctx, "queue", mapper), Req.param(ctx, "task", mapper),
                Req.param(ctx, "id", mapper), Req.param(ctx, "args", mapper), Req.param(ctx, "error", mapper));
    }

    static JobState state(String s) {
        if (s == null) return null;
        try {
            return JobState.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw HttpProblem.badRequest("state must be one of scheduled, ready, running, succeeded, dead, cancelled");
        }
    }
}
