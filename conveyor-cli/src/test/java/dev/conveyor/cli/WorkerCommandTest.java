package dev.conveyor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.Conveyor;
import dev.conveyor.job.JobInfo;
import dev.conveyor.job.JobState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

class WorkerCommandTest {
    @TempDir
    Path dir;

    /** Creates commands as picocli would, keeping the worker command so the test can stop it. */
    static final class Capture implements IFactory {
        volatile WorkerCommand worker;

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            K k = CommandLine.defaultFactory().create(cls);
            if (k instanceof WorkerCommand w) worker = w;
            return k;
        }
    }

    @Test
    void runsTheAppsTasksUntilStoppedThenExitsZero() throws Exception {
        String url = Cli.sqlite(dir);
        Capture factory = new Capture();
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run(factory,
                "worker", "--app", TestApp.class.getName(), "--broker", url, "--queues", "default,other",
                "--concurrency", "4", "--fetch-batch", "2", "--fetchers", "1", "--prefetch", "3"));
        await().atMost(Duration.ofSeconds(20)).until(() -> factory.worker != null || run.isDone());
        assertThat(factory.worker.awaitStarted(Duration.ofSeconds(20))).as(() -> run.getNow(null) + "").isTrue();
        try (Conveyor c = Conveyor.builder().broker(url).build()) {
            assertThat(c.handle(TestApp.HELLO, c.enqueue(TestApp.HELLO, new TestApp.Greet("ada")).id())
                    .await(Duration.ofSeconds(20))).isEqualTo("hello ada");
        }
        factory.worker.requestStop();
        Cli.Result r = run.get(30, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Worker running 2 task(s)", "[default, other]", "concurrency 4, fetch batch 2, 1 fetch loop, prefetch 3",
                "Stopped: 1 succeeded");
    }

    @Test
    void withAMetricsPortServesPrometheusMetricsOfItsJobs() throws Exception {
        String url = Cli.sqlite(dir);
        Capture factory = new Capture();
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run(factory,
                "worker", "--app", TestApp.class.getName(), "--broker", url, "--metrics-port", "0",
                "--metrics-poll", "PT0.2S"));
        await().atMost(Duration.ofSeconds(20)).until(() -> factory.worker != null || run.isDone());
        try {
            assertThat(factory.worker.awaitStarted(Duration.ofSeconds(20))).as(() -> run.getNow(null) + "").isTrue();
            URI metrics = factory.worker.metricsUri();
            assertThat(metrics.toString()).startsWith("http://127.0.0.1:").endsWith("/metrics");
            try (Conveyor c = Conveyor.builder().broker(url).build()) {
                c.handle(TestApp.HELLO, c.enqueue(TestApp.HELLO, new TestApp.Greet("ada")).id())
                        .await(Duration.ofSeconds(20));
            }
            // The job was enqueued by another Conveyor, so this worker counts only its run; the queue gauges
            // come from the store.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                List<String> lines = scrape(metrics).lines().toList();
                return lines.stream().anyMatch(l -> l.startsWith("conveyor_jobs_succeeded_total{")
                        && l.contains("task=\"hello\"") && l.endsWith(" 1.0"))
                        && lines.stream().anyMatch(l -> l.startsWith("conveyor_queue_depth{")
                        && l.contains("state=\"succeeded\"") && l.endsWith(" 1.0"));
            });
            assertThat(scrape(metrics)).contains("conveyor_worker_concurrency{", "conveyor_job_run_seconds_count{");
        } finally {
            factory.worker.requestStop();
        }
        Cli.Result r = run.get(30, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Metrics at http://127.0.0.1:");
    }

    private static String scrape(URI uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void runsTheSchedulesOfAFileAndTheyShowInConveyorSchedules() throws Exception {
        String url = Cli.sqlite(dir);
        Path file = dir.resolve("schedules.json");
        java.nio.file.Files.writeString(file, "[{\"name\": \"greet\", \"cron\": \"@every 1s\", \"task\": \"hello\","
                + " \"args\": {\"name\": \"cron\"}}]");
        Capture factory = new Capture();
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run(factory,
                "worker", "--app", TestApp.class.getName(), "--broker", url, "--schedules", file.toString()));
        await().atMost(Duration.ofSeconds(20)).until(() -> factory.worker != null || run.isDone());
        assertThat(factory.worker.awaitStarted(Duration.ofSeconds(20))).as(() -> run.getNow(null) + "").isTrue();
        // Real time: the every-second schedule fires within a few seconds and the worker runs its jobs.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Conveyor c = Conveyor.builder().broker(url).build()) {
                return c.store().queues().stream().mapToLong(q -> q.count(dev.conveyor.job.JobState.SUCCEEDED)).sum() >= 2;
            }
        });
        Cli.Result list = Cli.run("schedules", "--broker", url);
        assertThat(list.out()).contains("greet", "@every 1s", "hello", "active");
        factory.worker.requestStop();
        Cli.Result r = run.get(30, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Scheduler running 1 schedule(s) [greet]");
    }

    @Test
    void loadsTheAppFromAJarGivenWithClasspath() throws Exception {
        Path jar = buildAppJar();
        String url = Cli.sqlite(dir);
        Capture factory = new Capture();
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> Cli.run(factory,
                "worker", "--app", "jarapp.JarApp", "--classpath", jar.toString(), "--broker", url));
        await().atMost(Duration.ofSeconds(20)).until(() -> factory.worker != null || run.isDone());
        assertThat(factory.worker.awaitStarted(Duration.ofSeconds(20))).as(() -> run.getNow(null) + "").isTrue();
        Cli.Result enq = Cli.run("enqueue", "ping", "{\"n\": 41}", "--broker", url);
        assertThat(enq.exitCode()).as(enq.toString()).isZero();
        try (Conveyor c = Conveyor.builder().broker(url).build()) {
            JobInfo info = c.store().awaitFinished(enq.out().strip(), Duration.ofSeconds(20)).orElseThrow();
            assertThat(info.state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(info.result()).isEqualTo("42");
        }
        factory.worker.requestStop();
        assertThat(run.get(30, TimeUnit.SECONDS).exitCode()).isZero();
    }

    @Test
    void sigtermStopsAChildJvmGracefullyWithExitZero() throws Exception {
        String url = Cli.sqlite(dir);
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path log = dir.resolve("worker.log");
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "worker", "--app", TestApp.class.getName(), "--broker", url)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Callable<String> output = () -> Files.readString(log);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> output.call().contains("Worker running") || !p.isAlive());
            assertThat(p.isAlive()).as(output.call()).isTrue();
            try (Conveyor c = Conveyor.builder().broker(url).build()) {
                String id = c.enqueue(TestApp.HELLO, new TestApp.Greet("child")).id();
                assertThat(c.handle(TestApp.HELLO, id).await(Duration.ofSeconds(20))).isEqualTo("hello child");
            }
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(output.call()).isTrue();
            assertThat(p.exitValue()).as(output.call()).isZero();
            assertThat(output.call()).contains("Stopping", "Stopped: 1 succeeded");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aClassThatIsNotFoundSaysWhereItLooked() throws Exception {
        Cli.Result r = Cli.run("worker", "--app", "com.example.Missing", "--broker", Cli.sqlite(dir));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("class com.example.Missing not found", "the conveyor CLI's own classpath");
        Path lib = Files.createDirectory(dir.resolve("lib"));
        Cli.Result withCp = Cli.run("worker", "--app", "com.example.Missing", "--classpath", lib.toString(),
                "--broker", Cli.sqlite(dir));
        assertThat(withCp.err()).contains("--classpath " + lib);
    }

    @Test
    void wrongAppsGetOneClearLine() {
        String url = Cli.sqlite(dir);
        Cli.Result notApp = Cli.run("worker", "--app", TestApp.NotAnApp.class.getName(), "--broker", url);
        assertThat(notApp.exitCode()).isEqualTo(2);
        assertThat(notApp.err()).contains("is not a dev.conveyor.ConveyorApp");

        Cli.Result noCtor = Cli.run("worker", "--app", TestApp.NeedsArgs.class.getName(), "--broker", url);
        assertThat(noCtor.exitCode()).isEqualTo(2);
        assertThat(noCtor.err()).contains("no public no-argument constructor");

        Cli.Result throwing = Cli.run("worker", "--app", TestApp.Throws.class.getName(), "--broker", url);
        assertThat(throwing.exitCode()).isEqualTo(1);
        assertThat(throwing.err()).contains("configure() threw java.lang.IllegalStateException: missing setting app.url")
                .doesNotContain("\tat ");
        assertThat(throwing.err().lines()).hasSize(1);
    }

    @Test
    void badArgumentsAreUsageErrors() {
        String url = Cli.sqlite(dir);
        String app = TestApp.class.getName();
        assertThat(Cli.run("worker", "--broker", url).exitCode()).isEqualTo(2);
        assertThat(Cli.run("worker", "--app", app, "--concurrency", "0", "--broker", url).exitCode()).isEqualTo(2);
        Cli.Result batch = Cli.run("worker", "--app", app, "--fetch-batch", "0", "--broker", url);
        assertThat(batch.exitCode()).isEqualTo(2);
        assertThat(batch.err()).contains("fetchBatch must be >= 1, was 0");
        Cli.Result loops = Cli.run("worker", "--app", app, "--fetchers", "9", "--broker", url);
        assertThat(loops.exitCode()).isEqualTo(2);
        assertThat(loops.err()).contains("fetchers must be between 1 and 8, was 9");
        Cli.Result prefetch = Cli.run("worker", "--app", app, "--prefetch", "-1", "--broker", url);
        assertThat(prefetch.exitCode()).isEqualTo(2);
        assertThat(prefetch.err()).contains("prefetch must be >= 0");
        assertThat(Cli.run("worker", "--app", app, "--queues", "a b", "--broker", url).exitCode()).isEqualTo(2);
        Cli.Result aging = Cli.run("worker", "--app", app, "--priority-aging", "10ms", "--broker", url);
        assertThat(aging.exitCode()).isEqualTo(2);
        assertThat(aging.err()).contains("priorityAging must be at least 1 s");
        assertThat(Cli.run("worker", "--app", app, "--classpath", dir.resolve("nope.jar").toString(), "--broker", url)
                .err()).contains("nope.jar' does not exist");
    }

    @Test
    void anUnreachableBrokerIsOneLine() {
        Cli.Result r = Cli.run("worker", "--app", TestApp.class.getName(), "--broker", "nosuch:x");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: cannot open broker nosuch:x");
    }

    /** Compiles a small ConveyorApp into a jar that is not on the test classpath. */
    private Path buildAppJar() throws IOException {
        Path src = dir.resolve("src/jarapp/JarApp.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package jarapp;

                import dev.conveyor.Conveyor;
                import dev.conveyor.ConveyorApp;
                import dev.conveyor.Task;

                public final class JarApp implements ConveyorApp {
                    public record Ping(int n) {}

                    @Override
                    public void configure(Conveyor.Builder b) {
                        b.task(Task.named("ping", Ping.class, Integer.class).handler(p -> p.n() + 1));
                    }
                }
                """);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "-cp", System.getProperty("java.class.path"), "-d", classes.toString(),
                src.toString());
        assertThat(rc).isZero();
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

}
