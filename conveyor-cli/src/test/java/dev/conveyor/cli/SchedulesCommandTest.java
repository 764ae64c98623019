package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.schedule.Schedule;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulesCommandTest {
    @TempDir
    Path dir;

    @Test
    void listsPausesAndResumesSchedulesAWorkerRecorded() {
        String url = Cli.sqlite(dir);
        assertThat(Cli.run("schedules", "--broker", url).out()).contains("No schedules");
        try (Conveyor c = Conveyor.builder().broker(url).task(TestApp.HELLO)
                .schedule(Schedule.cron("greeter", "*/10 * * * *").task(TestApp.HELLO, new TestApp.Greet("cron")))
                .build()) {
            c.newScheduler().runOnce();
        }
        Cli.Result list = Cli.run("schedules", "--broker", url);
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).contains("greeter", "*/10 * * * *", "UTC", "hello", "active", "in ");

        Cli.Result pause = Cli.run("schedules", "pause", "greeter", "--broker", url);
        assertThat(pause.exitCode()).as(pause.toString()).isZero();
        assertThat(pause.out()).contains("Paused schedule 'greeter'");
        assertThat(Cli.run("schedules", "--broker", url).out()).contains("paused");
        assertThat(Cli.run("schedules", "resume", "greeter", "--broker", url).out()).contains("Resumed");
        assertThat(Cli.run("schedules", "--broker", url).out()).contains("active");

        Cli.Result unknown = Cli.run("schedules", "pause", "nope", "--broker", url);
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(unknown.err()).contains("no schedule named 'nope'");
    }

    @Test
    void aBadScheduleFileIsAUsageErrorNamingTheEntry() throws Exception {
        Path file = dir.resolve("schedules.json");
        Files.writeString(file, "[{\"name\": \"n\", \"cron\": \"0 25 * * *\", \"task\": \"hello\"}]");
        Cli.Result r = Cli.run("worker", "--app", TestApp.class.getName(), "--schedules", file.toString(),
                "--broker", Cli.sqlite(dir));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("schedule 'n'", "25");
    }
}
