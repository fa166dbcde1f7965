package io.motley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;

/**
 * The web dashboard in a real browser: Debian's Chromium, headless, driven through Selenium against
 * a test cluster's controller over its HTTPS port. Each page is loaded without console errors and
 * photographed into {@code e2e/target/dashboard/} (docs/dashboard/ holds copies).
 */
class DashboardIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SHOTS = TestCluster.REPO.resolve("e2e/target/dashboard");

    @TempDir
    Path dir;

    ChromeDriver browser;

    @BeforeEach
    void needChromium() {
        Assumptions.assumeTrue(
                CHROMIUM.toFile().canExecute() && CHROMEDRIVER.toFile().canExecute(),
                "Debian's chromium and chromium-driver are not installed (scripts/setup-test-host installs them)");
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) browser.quit();
    }

    /** On a failure: what the browser showed, its page and its console, beside the screenshots. */
    void keepEvidence() {
        if (browser == null) return;
        try {
            screenshot("failure");
            Files.writeString(SHOTS.resolve("failure.html"), browser.getPageSource());
            Files.writeString(SHOTS.resolve("failure-console.txt"), String.join("\n", consoleErrors()));
        } catch (Exception | AssertionError e) {
            // the failure itself is what the report needs
        }
    }

    ChromeDriver browser() throws Exception {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(dir.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                // the controller's certificate is the test cluster's own CA's, which this browser does not know
                "--ignore-certificate-errors",
                "--window-size=1360,900",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        return new ChromeDriver(service, options);
    }

    /** The browser console's errors since the last call. */
    List<String> consoleErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER))
            if (e.getLevel().intValue() >= Level.WARNING.intValue()) errors.add(e.getLevel() + " " + e.getMessage());
        return errors;
    }

    void screenshot(String name) throws Exception {
        Files.createDirectories(SHOTS);
        Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    WebElement awaitElement(By by) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> browser.findElement(by).isDisplayed());
        return browser.findElement(by);
    }

    /** Clicks what {@code by} finds, again if a page's redraw replaced it between finding and clicking. */
    void click(By by) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    browser.findElement(by).click();
                    return true;
                });
    }

    void awaitText(By by, String text) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> browser.findElement(by).getText().contains(text));
    }

    static String token(TestCluster c, String... user) {
        List<String> args = new ArrayList<>(List.of("scontrol", "token", "lifespan=3600"));
        for (String u : user) args.add("username=" + u);
        TestCluster.Run r = c.cmd(args.toArray(String[]::new));
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("SLURM_JWT=");
        return r.out().strip();
    }

    void logIn(String jwt) {
        WebElement box = awaitElement(By.id("token"));
        box.clear();
        box.sendKeys(jwt);
        browser.findElement(By.id("login-button")).click();
    }

    @Test
    void aUserSeesTheClusterFollowsAJobsOutputCancelsItAndRootDrainsAndResumesANode() throws Exception {
        // a Prometheus that is not there: the history charts fall back to the controller's samples and say so
        try (TestCluster c = new TestCluster(dir, "HttpPort=0\nPrometheusURL=http://127.0.0.1:9/\n")) {
            try {
                walkThrough(c);
            } catch (Exception | AssertionError e) {
                keepEvidence();
                Files.copy(
                        c.home.resolve("log/controller.log"),
                        SHOTS.resolve("failure-controller.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                throw e;
            }
        }
    }

    void walkThrough(TestCluster c) throws Exception {
        c.startController();
        c.startAgent("n1", 2, "1G");
        c.startAgent("n2", 1, "512M");
        // three JVMs starting at once on a busy machine: longer than TestCluster's 30 s wait
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() ->
                        c.cmd("sinfo", "-h", "-N", "-o", "%N %t").lines().containsAll(List.of("n1 idle", "n2 idle")));
        URI base = URI.create(Files.readString(c.home.resolve("run/http.url")).strip());
        browser = browser();
        browser.manage().window().setSize(new Dimension(1360, 900));

        // the page at / loads without a token and asks for one
        browser.get(base.resolve("/").toString());
        awaitElement(By.id("token"));
        assertThat(browser.getTitle()).isEqualTo("Motley");
        assertThat(consoleErrors()).as("console on the login page").isEmpty();
        screenshot("login");

        TestCluster.Run drain = c.cmd("scontrol", "update", "NodeName=n2", "State=DRAIN", "Reason=new fan on order");
        assertThat(drain.rc()).as(drain.err()).isZero();
        long job = c.submit(
                "-J",
                "counter",
                "-e",
                "counter-%j.err",
                "--wrap",
                "for i in $(seq 1 600); do echo line-$i; echo tick-$i >&2; sleep 0.5; done");
        c.awaitState(job, "RUNNING", Duration.ofSeconds(30));
        long waiting = c.submit("-J", "waits", "--hold", "--wrap", "true");

        // the cluster page: a tile per node, the drained one with its reason
        logIn(token(c));
        awaitText(By.cssSelector(".node-tile[data-node='n2'] .node-reason"), "new fan on order");
        awaitText(By.cssSelector(".node-tile[data-node='n1'] .node-state"), "mixed");
        assertThat(browser.findElement(By.cssSelector(".node-tile[data-node='n2'] .node-state"))
                        .getText())
                .isEqualTo("drained");
        assertThat(browser.findElement(By.id("whoami")).getText()).isEqualTo("root (admin)");
        assertThat(consoleErrors()).as("console on the cluster page").isEmpty();
        screenshot("cluster");

        // the queue: the job sbatch submitted, and the held one with its reason; filters
        browser.findElement(By.id("nav-queue")).click();
        awaitText(By.cssSelector("#queue-table tr[data-job='" + job + "']"), "RUNNING");
        awaitText(By.cssSelector("#queue-table tr[data-job='" + waiting + "']"), "JobHeldUser");
        new Select(browser.findElement(By.id("filter-state"))).selectByValue("PENDING");
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> browser.findElements(By.cssSelector("#queue-table tr[data-job='" + job + "']"))
                        .isEmpty());
        assertThat(browser.findElements(By.cssSelector("#queue-table tr[data-job='" + waiting + "']")))
                .hasSize(1);
        new Select(browser.findElement(By.id("filter-state"))).selectByValue("");
        awaitElement(By.cssSelector("#queue-table tr[data-job='" + job + "']"));
        assertThat(consoleErrors()).as("console on the queue page").isEmpty();
        screenshot("queue");

        // the job page: details, and its output tailing while it runs
        click(By.cssSelector("#queue-table tr[data-job='" + job + "'] a"));
        awaitText(By.id("job-state"), "RUNNING");
        // its files as the agent named them, not the patterns sbatch was given
        String workDir = c.work.toString();
        awaitText(By.id("job-stderr"), workDir + "/counter-" + job + ".err");
        assertThat(browser.findElement(By.id("job-stdout")).getText()).isEqualTo(workDir + "/slurm-" + job + ".out");
        awaitText(By.id("job-output"), "line-3");
        String earlier = browser.findElement(By.id("job-output")).getText();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> browser.findElement(By.id("job-output")).getText().length() > earlier.length());
        assertThat(consoleErrors()).as("console on the job page").isEmpty();
        screenshot("job");
        // its stderr, a file of its own here, on asking
        new Select(browser.findElement(By.id("output-stream"))).selectByValue("err");
        awaitText(By.id("job-output"), "tick-2");
        assertThat(browser.findElement(By.id("job-output")).getText()).doesNotContain("line-");

        // cancelling it from the page cancels it
        click(By.id("cancel-button"));
        click(By.id("cancel-confirm"));
        c.awaitState(job, "CANCELLED", Duration.ofSeconds(30));
        awaitText(By.id("job-state"), "CANCELLED");
        assertThat(consoleErrors()).as("console after cancelling").isEmpty();

        // the admin view: root resumes the drained node
        browser.findElement(By.id("nav-admin")).click();
        awaitText(By.cssSelector("#admin-table tr[data-node='n2']"), "new fan on order");
        screenshot("admin");
        browser.findElement(By.cssSelector("#admin-table tr[data-node='n2'] .resume-button"))
                .click();
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> c.cmd("sinfo", "-h", "-N", "-o", "%N %t").lines().contains("n2 idle"));
        // the page redraws itself after an update: type into the new one
        await().atMost(Duration.ofSeconds(15))
                .ignoreExceptions()
                .until(() -> !browser.findElement(By.cssSelector("#admin-table tr[data-node='n2'] .resume-button"))
                        .isEnabled());
        // ... and drains one with a reason typed in
        WebElement reason = browser.findElement(By.cssSelector("#admin-table tr[data-node='n1'] .drain-reason"));
        reason.sendKeys("memory test");
        browser.findElement(By.cssSelector("#admin-table tr[data-node='n1'] .drain-button"))
                .click();
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> c.cmd("scontrol", "show", "node", "n1").out().contains("Reason=memory test"));
        assertThat(consoleErrors()).as("console on the admin page").isEmpty();

        // history and fair share draw without errors
        browser.findElement(By.id("nav-history")).click();
        awaitElement(By.cssSelector("#chart-utilisation svg"));
        awaitElement(By.cssSelector("#chart-users"));
        awaitText(By.id("history-note"), "No history from Prometheus at http://127.0.0.1:9/: unreachable");
        assertThat(browser.findElement(By.id("history-source")).getText()).contains("controller's memory");
        assertThat(consoleErrors()).as("console on the history page").isEmpty();
        screenshot("history");
        browser.findElement(By.id("nav-shares")).click();
        awaitElement(By.id("shares-table"));
        assertThat(consoleErrors()).as("console on the fair-share page").isEmpty();
        screenshot("shares");

        // an administrator in the accounts database (not root) gets the admin view and drains a node;
        // root joins the account too, since a database with accounts wants one for each job
        for (String[] cmd : List.of(
                new String[] {"sacctmgr", "-i", "add", "account", "lab"},
                new String[] {"sacctmgr", "-i", "add", "user", "root", "account=lab"},
                new String[] {"sacctmgr", "-i", "add", "user", "daemon", "account=lab", "adminlevel=Administrator"})) {
            TestCluster.Run r = c.cmd(cmd);
            assertThat(r.rc()).as(String.join(" ", cmd) + ": " + r.err()).isZero();
        }
        browser.findElement(By.id("logout")).click();
        logIn(token(c, "daemon"));
        awaitText(By.id("whoami"), "daemon (admin)");
        click(By.id("nav-admin"));
        WebElement why = awaitElement(By.cssSelector("#admin-table tr[data-node='n2'] .drain-reason"));
        why.sendKeys("disk check");
        click(By.cssSelector("#admin-table tr[data-node='n2'] .drain-button"));
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> c.cmd("scontrol", "show", "node", "n2").out().contains("Reason=disk check"));
        assertThat(consoleErrors())
                .as("console on the administrator's admin page")
                .isEmpty();

        // another user sees root's job but neither its output nor a cancel button, and cannot drain
        long other = c.submit("-J", "roots", "--wrap", "sleep 300");
        browser.findElement(By.id("logout")).click();
        logIn(token(c, "nobody"));
        awaitText(By.id("whoami"), "nobody");
        assertThat(browser.findElement(By.id("nav-admin")).isDisplayed()).isFalse();
        browser.get(base.resolve("/#/job/" + other).toString());
        awaitText(By.id("job-details"), "roots");
        awaitText(By.id("output-note"), "Access/permission denied");
        assertThat(browser.findElements(By.id("cancel-button"))).isEmpty();
        // ... and the REST API refuses the cancel the page does not offer, sent with this user's token
        Object status = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "fetch('/slurm/v0.0.40/job/" + other + "', {method: 'DELETE', headers:"
                + " {'X-SLURM-USER-TOKEN': sessionStorage.getItem('motley.token')}}).then(r => done(r.status));");
        assertThat(status).isEqualTo(403L);
        assertThat(c.state(other)).isIn("PENDING", "RUNNING");
        // the refused output read and cancel are the only console errors: the browser reports every 403
        assertThat(consoleErrors()).allMatch(e -> e.contains("403"), "only the refused reads");
    }
}
