package dev.conveyor.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.Conveyor;
import dev.conveyor.EnqueueOptions;
import dev.conveyor.Task;
import dev.conveyor.WorkerOptions;
import dev.conveyor.job.JobState;
import dev.conveyor.schedule.Schedule;
import dev.conveyor.worker.Worker;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * End to end in headless Chromium (Debian's {@code chromium} and {@code chromium-driver}): log in, see a queue,
 * open a dead job, re-drive it, watch it succeed with a worker running in the test. Also takes the screenshots
 * of the main pages: into {@code target/screenshots}, or the directory in {@code -Dconveyor.screenshots=DIR}
 * ({@code scripts/screenshots} passes {@code docs/img}).
 */
class BrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String TOKEN = "browser-test-token-0123456789";

    record Charge(String customer, long cents, String cardNumber) {}
    record Mail(String to) {}

    static final AtomicBoolean gatewayDown = new AtomicBoolean(true);
    static final Task<Charge, Void> CHARGE = Task.named("payments.charge", Charge.class).queue("payments").maxAttempts(1)
            .sensitive("cardNumber").action(c -> {
                if (gatewayDown.get()) throw new IllegalStateException("payment gateway unreachable: connect timed out after 5000 ms");
            });
    static final Task<Mail, Void> MAIL = Task.named("emails.send", Mail.class).queue("emails").action(m -> Thread.sleep(20));

    @TempDir
    Path profile;
    Conveyor conveyor;
    Worker worker;
    ConveyorDashboard dashboard;
    WebDriver browser;
    Path shots;

    @BeforeEach
    void start() throws Exception {
        for (Path p : new Path[] {CHROMIUM, CHROMEDRIVER}) {
            if (!Files.isExecutable(p)) {
                throw new AssertionError(p + " is missing: the browser test needs Debian's chromium and chromium-driver "
                        + "(apt-get install -y chromium chromium-driver; scripts/test installs them when run as root)");
            }
        }
        shots = Path.of(System.getProperty("conveyor.screenshots", "target/screenshots"));
        Files.createDirectories(shots);
        gatewayDown.set(true);
        conveyor = Conveyor.builder().broker("memory:").task(CHARGE).task(MAIL)
                .schedule(Schedule.cron("nightly-report", "0 3 * * *").task(MAIL, new Mail("ops@example.com")))
                .schedule(Schedule.cron("heartbeat-mail", "@every 30s").task(MAIL, new Mail("monitor@example.com")))
                .build();
        worker = conveyor.startWorker(WorkerOptions.defaults().queues("payments", "emails").concurrency(20)
                .pollInterval(Duration.ofMillis(50)).shutdownOnSigterm(false));
        conveyor.startScheduler();
        dashboard = ConveyorDashboard.builder().conveyor(conveyor).port(0).token(TOKEN).start();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() {
        if (browser != null) browser.quit();
        if (dashboard != null) dashboard.close();
        if (worker != null) worker.shutdown(Duration.ofSeconds(2));
        if (conveyor != null) conveyor.close();
    }

    @Test
    void logInSeeAQueueRedriveADeadJobAndWatchItSucceed() throws Exception {
        String deadId = conveyor.enqueue(CHARGE, new Charge("ACME <Corp>", 4200, "4111 1111 1111 1111")).id();
        for (int i = 0; i < 60; i++) {
            conveyor.enqueue(MAIL, new Mail("user" + i + "@example.com"), EnqueueOptions.defaults().delay(Duration.ofMillis(i * 100L)));
        }
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> conveyor.store().get(deadId).orElseThrow().state() == JobState.DEAD);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));

        // Log in.
        browser.get(dashboard.url());
        assertThat(browser.findElement(By.id("login-form")).isDisplayed()).isTrue();
        shot("login");
        browser.findElement(By.id("token")).sendKeys(TOKEN);
        browser.findElement(By.id("login")).click();

        // See a queue, and the live chart being drawn.
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-queue='payments']")));
        assertThat(browser.findElement(By.cssSelector("tr[data-queue='payments'] [data-field='DEAD']")).getText()).isEqualTo("1");
        wait.until(d -> Integer.parseInt(d.findElement(By.id("throughput")).getDomAttribute("data-points") == null ? "0"
                : d.findElement(By.id("throughput")).getDomAttribute("data-points")) >= 3);
        shot("overview");

        browser.findElement(By.linkText("Jobs")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("jobs")));
        shot("jobs");

        // Open the dead job from the dead letters.
        browser.findElement(By.linkText("Dead letters")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-id='" + deadId + "']")));
        shot("dead-letters");
        browser.findElement(By.cssSelector("tr[data-id='" + deadId + "'] a.job-link")).click();
        wait.until(ExpectedConditions.textToBe(By.id("job-state"), "dead"));
        assertThat(browser.findElement(By.id("dead-reason")).getText()).contains("payment gateway unreachable");
        assertThat(browser.findElement(By.id("args")).getText()).contains("ACME <Corp>").contains("***").doesNotContain("4111");
        shot("job-dead");

        // Re-drive it; the worker runs it again and it succeeds.
        gatewayDown.set(false);
        browser.findElement(By.xpath("//form[contains(@action,'/redrive')]/button")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("notice")));
        assertThat(browser.findElement(By.id("notice")).getText()).contains("Re-drove job " + deadId);
        new WebDriverWait(browser, Duration.ofSeconds(20)).pollingEvery(Duration.ofMillis(300)).until(d -> {
            d.navigate().refresh();
            return d.findElement(By.id("job-state")).getText().equals("succeeded");
        });
        assertThat(conveyor.store().get(deadId).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
        shot("job-succeeded");

        browser.findElement(By.linkText("Schedules")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("schedules")));
        shot("schedules");
        browser.findElement(By.linkText("Workers")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("workers")));
        assertThat(browser.findElement(By.id("workers")).getText()).contains("alive");
        shot("workers");
        browser.findElement(By.linkText("Audit log")).click();
        assertThat(browser.findElement(By.id("audit")).getText()).contains("job.redrive").contains("token:operator");
    }

    private void shot(String name) throws Exception {
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), shots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
