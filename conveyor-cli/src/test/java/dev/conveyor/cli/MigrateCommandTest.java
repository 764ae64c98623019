package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrateCommandTest {
    @TempDir
    Path dir;

    @Test
    void showsChecksAndAppliesTheSchema() {
        String url = Cli.sqlite(dir);
        Cli.Result sql = Cli.run("migrate", "--sql", "--broker", url);
        assertThat(sql.exitCode()).as(sql.toString()).isZero();
        assertThat(sql.out()).contains("-- version 1: jobs table and its indexes (pending)")
                .contains("CREATE TABLE IF NOT EXISTS conveyor_jobs")
                .contains("-- version 2: shared-state table (schedules, pause flags) (pending)")
                .contains("-- version 3: cancel requests and progress of running jobs (pending)")
                .contains("-- version 4: fairness keys of ready jobs (pending)")
                .contains("-- version 5: start marks of redelivered jobs (pending)")
                .contains("-- version 6: keep times of succeeded jobs' results (pending)")
                .contains("CREATE INDEX IF NOT EXISTS conveyor_jobs_kept");

        Cli.Result behind = Cli.run("migrate", "--check", "--broker", url);
        assertThat(behind.exitCode()).as(behind.toString()).isEqualTo(1);
        assertThat(behind.out()).contains("is at version 0; this Conveyor needs 6");

        Cli.Result applied = Cli.run("migrate", "--broker", url);
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        assertThat(applied.out()).contains("applied version 1: jobs table and its indexes")
                .contains("applied version 6: keep times of succeeded jobs' results");

        Cli.Result again = Cli.run("migrate", "--broker", url);
        assertThat(again.out()).contains("is up to date (version 6)");
        assertThat(Cli.run("migrate", "--check", "--broker", url).exitCode()).isZero();
    }

    @Test
    void refusesBrokersWithoutASqlSchema() {
        Cli.Result r = Cli.run("migrate", "--broker", "memory:");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("has no SQL schema to migrate");
    }
}
