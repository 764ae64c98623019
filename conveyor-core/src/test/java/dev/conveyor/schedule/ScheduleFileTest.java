package dev.conveyor.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleFileTest {
    @Test
    void readsEveryField() {
        List<Schedule> s = ScheduleFile.parse("""
                [{"name": "nightly", "cron": "0 3 * * *", "zone": "Europe/Paris", "task": "reports.nightly",
                  "args": {"kind": "daily"}, "queue": "reports", "missed": "run-all", "maxCatchUp": 7,
                  "overlap": "skip", "grace": "5m"},
                 {"name": "ping", "cron": "@every 30s", "task": "ops.ping"}]
                """);
        assertThat(s).hasSize(2);
        Schedule n = s.get(0);
        assertThat(n.name()).isEqualTo("nightly");
        assertThat(n.expression().text()).isEqualTo("0 3 * * *");
        assertThat(n.zone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(n.taskName()).isEqualTo("reports.nightly");
        assertThat(n.args()).isEqualTo(new Schedule.JsonArgs("{\"kind\":\"daily\"}"));
        assertThat(n.queue()).isEqualTo("reports");
        assertThat(n.onMissed()).isEqualTo(Schedule.MissedTicks.RUN_ALL);
        assertThat(n.maxCatchUp()).isEqualTo(7);
        assertThat(n.overlap()).isEqualTo(Schedule.Overlap.SKIP);
        assertThat(n.grace()).isEqualTo(Duration.ofMinutes(5));
        Schedule p = s.get(1);
        assertThat(p.zone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(p.args()).isEqualTo(new Schedule.JsonArgs("{}"));
        assertThat(p.onMissed()).isEqualTo(Schedule.MissedTicks.RUN_ONCE);
        assertThat(p.overlap()).isEqualTo(Schedule.Overlap.ALLOW);
    }

    @Test
    void errorsNameTheEntryAndTheField() {
        assertThatThrownBy(() -> ScheduleFile.parse("{}")).hasMessageContaining("expected a JSON array");
        assertThatThrownBy(() -> ScheduleFile.parse("[{")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ScheduleFile.parse("[{\"cron\": \"@daily\", \"task\": \"t\"}]"))
                .hasMessageContaining("schedule #1").hasMessageContaining("missing \"name\"");
        assertThatThrownBy(() -> ScheduleFile.parse("[{\"name\": \"a\", \"cron\": \"@daily\", \"task\": \"t\", \"zone\": \"Mars/Base\"}]"))
                .hasMessageContaining("schedule 'a'").hasMessageContaining("unknown time zone 'Mars/Base'");
        assertThatThrownBy(() -> ScheduleFile.parse("[{\"name\": \"a\", \"cron\": \"@daily\", \"task\": \"t\", \"missed\": \"later\"}]"))
                .hasMessageContaining("skip, run-once or run-all");
        assertThatThrownBy(() -> ScheduleFile.parse("[{\"name\": \"a\", \"cron\": \"@daily\", \"task\": \"t\", \"crom\": \"x\"}]"))
                .hasMessageContaining("unknown field 'crom'");
        assertThatThrownBy(() -> ScheduleFile.parse("[{\"name\": \"a\", \"cron\": \"@daily\", \"task\": \"t\", \"maxCatchUp\": 3}]"))
                .hasMessageContaining("run-all");
        assertThatThrownBy(() -> ScheduleFile.parse("[{\"name\": \"a\", \"cron\": \"@daily\", \"task\": \"t\"},"
                + "{\"name\": \"a\", \"cron\": \"@hourly\", \"task\": \"t\"}]")).hasMessageContaining("used twice");
        assertThatThrownBy(() -> ScheduleFile.parse("[{\"name\": \"a\", \"cron\": \"0 0 * *\", \"task\": \"t\"}]"))
                .hasMessageContaining("schedule 'a'");
    }
}
