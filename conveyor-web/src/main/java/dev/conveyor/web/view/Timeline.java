package dev.conveyor.web.view;

import dev.conveyor.job.AttemptError;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** What is known of a job's life, in time order: enqueued, due, each failure, lease, finish (page and API alike). */
public final class Timeline {
    /** One moment. */
    public record Event(Instant at, String what) {}

    private Timeline() {}

    public static List<Event> of(JobInfo info) {
        Job j = info.job();
        List<Event> out = new ArrayList<>();
        out.add(new Event(j.enqueuedAt(), "enqueued"));
        if (j.runAt().isAfter(j.enqueuedAt())) out.add(new Event(j.runAt(), "due"));
        for (AttemptError e : info.errors()) {
            out.add(new Event(e.at(), (e.attempt() == 0 ? "refused unrun" : "attempt " + e.attempt() + " failed") + ": " + e.type()));
        }
        if (info.leaseUntil() != null) out.add(new Event(info.leaseUntil(), "lease ends (running)"));
        if (info.finishedAt() != null) out.add(new Event(info.finishedAt(), "finished: " + info.state().name().toLowerCase()));
        else if (info.updatedAt() != null) out.add(new Event(info.updatedAt(), "last change: " + info.state().name().toLowerCase()));
        out.sort(Comparator.comparing(Event::at));
        return out;
    }
}
