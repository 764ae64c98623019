package dev.conveyor.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.web.auth.Principal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every operator action, written three ways: to the logger {@value #LOGGER} (INFO, one line, so it lands wherever
 * the application's logs go), as a JSON line appended to a file when one is configured (survives restarts; ship
 * it to your log store), and to the last {@value #KEEP} entries in memory for the dashboard's audit page. An
 * entry is written after the action ran, with its result; a failed action is recorded with its error.
 */
public final class AuditLog {
    /** The logger name audit lines go to. */
    public static final String LOGGER = "dev.conveyor.audit";
    static final int KEEP = 500;
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    /**
     * One action.
     *
     * @param at     when
     * @param user   who (user name or {@code token:<label>})
     * @param role   their role
     * @param ip     the client's address
     * @param action what, e.g. {@code job.redrive}
     * @param target on what: a job id, a queue, a schedule, a filter
     * @param result what happened, e.g. {@code re-drove 1 job}
     */
    public record Entry(Instant at, String user, String role, String ip, String action, String target, String result) {}

    private final Clock clock;
    private final Path file;
    private final ObjectMapper mapper;
    private final Deque<Entry> recent = new ArrayDeque<>();

    AuditLog(Clock clock, Path file, ObjectMapper mapper) {
        this.clock = clock;
        this.file = file;
        this.mapper = mapper;
    }

    /** Records an action. Never throws: a full disk must not undo the action; it is logged as an error instead. */
    public void record(Principal who, String ip, String action, String target, String result) {
        // Targets and results can hold request text (a job id from the URL): no control characters, so one
        // action is always one log line.
        Entry e = new Entry(clock.instant(), clean(who.name()), who.role().label(), clean(ip), action, clean(target), clean(result));
        log.info("user={} role={} ip={} action={} target={} result={}", e.user(), e.role(), e.ip(), e.action(),
                e.target(), e.result());
        synchronized (recent) {
            recent.addFirst(e);
            while (recent.size() > KEEP) recent.removeLast();
            if (file != null) append(e);
        }
    }

    private static String clean(String s) {
        return s == null ? null : s.replaceAll("\\p{Cntrl}", "?");
    }

    /** The latest entries, newest first. */
    public List<Entry> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    private void append(Entry e) {
        try {
            Files.writeString(file, mapper.writeValueAsString(e) + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException ex) {
            log.error("could not append to the audit file {}: {}", file, ex.toString());
        }
    }
}
