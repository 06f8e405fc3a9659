package org.careline.console;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import org.careline.testing.Await;
import org.careline.testing.HeadlessChromium;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The staff console in a real headless Chromium against a whole CareLine in sandbox mode: a family writes in
 * the simulator (the service's real signed {@code POST /wechat}), a caseworker signs in with the sandbox's
 * demo account and answers; the answer reaches the fake WeChat API as a customer-service message.
 */
class ConsoleBrowserIT {

    static final Duration PATIENCE = Duration.ofSeconds(15);
    static final Path SHOTS = Path.of("target", "screenshots");
    static final Pattern DEMO_PASSWORD = Pattern.compile("as 'demo' with password '([^']+)'");
    static final String PARENT = "o-sim-parent-0001";

    private final HttpClient http = HttpClient.newHttpClient();
    private TestRedis redis;
    private RunningCareLine careline;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private HeadlessChromium chromium;
    private String demoPassword;
    private String consoleTab;

    @BeforeAll
    static void browserInstalled() {
        HeadlessChromium.requireInstalled();
    }

    @AfterEach
    void stop() throws IOException {
        if (chromium != null) {
            chromium.close();
        }
        if (careline != null) {
            careline.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @DisplayName("A family asks for a person in the simulator; the chat appears live in the inbox; the caseworker claims, replies (it reaches the fake WeChat API and the phone), resolves, and the bot answers again")
    void answerAFamily() {
        start(Map.of(), Clock.systemUTC());
        browser.get(careline.adminUrl() + "/simulator/");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("persona")));
        String simulatorTab = browser.getWindowHandle();
        assertThat(browser.findElement(By.cssSelector("[data-testid=console-link]")).getAttribute("href")).endsWith("/console/");
        new Select(browser.findElement(By.id("persona"))).selectByVisibleText("王女士（家长）");

        openConsoleAndSignIn();
        wait.until(d -> d.findElement(By.cssSelector("[data-testid=inbox-empty]")).isDisplayed());
        assertThat(text("[data-testid=inbox-empty]")).contains("现在没有等待接手的对话");
        ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");

        browser.switchTo().window(simulatorTab);
        typeInSimulator("我想找工作人员，奶粉钱实在凑不出来了");
        typeInSimulator("人工");

        browser.switchTo().window(consoleTab);
        wait.until(d -> text("[data-testid=inbox-item]").contains("人工"));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.notReloaded === true;"))
                .as("the chat appeared without a reload").isEqualTo(true);
        screenshot("console-inbox.png");

        click("[data-testid=inbox-item]");
        wait.until(d -> d.findElement(By.cssSelector("[data-testid=chat]")).isDisplayed());
        assertThat(text("[data-testid=transcript]")).contains("奶粉钱实在凑不出来了").contains("机器人");
        click("[data-testid=claim]");
        wait.until(d -> text("[data-testid=assignee]").contains("演示社工"));

        WebElement reply = browser.findElement(By.cssSelector("[data-testid=reply-text]"));
        reply.sendKeys("王女士您好，我是民政局的社工小陈，我们来帮您想办法。");
        reply.sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
        wait.until(d -> text("[data-testid=transcript]").contains("社工小陈"));
        assertThat(pushedTexts(PARENT)).contains("王女士您好，我是民政局的社工小陈，我们来帮您想办法。");
        screenshot("console-conversation.png");

        browser.switchTo().window(simulatorTab);
        wait.until(d -> d.findElements(By.cssSelector("#chat .bubble.bot")).stream()
                .anyMatch(b -> b.getText().contains("社工小陈")));

        browser.switchTo().window(consoleTab);
        click("[data-testid=resolve]");
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(d -> text("[data-testid=chat-level]").contains("已交回机器人"));

        browser.switchTo().window(simulatorTab);
        typeInSimulator("菜单");
        wait.until(d -> d.findElements(By.cssSelector("#chat .bubble.bot")).stream()
                .anyMatch(b -> b.getText().contains("申请帮助")));
    }

    @Test
    @DisplayName("An urgent chat sorts above an older ordinary one, and the N key (下一位) takes it")
    void urgentFirstAndNext() {
        start(Map.of(), Clock.systemUTC());
        simulate("o-browser-ordinary", "人工");
        simulate("o-browser-urgent", "孩子被他爸用皮带抽了");
        browser.get(careline.adminUrl() + "/console/");
        consoleTab = browser.getWindowHandle();
        signIn();
        wait.until(d -> d.findElements(By.cssSelector("[data-testid=inbox-item]")).size() == 2);
        List<WebElement> items = browser.findElements(By.cssSelector("[data-testid=inbox-item]"));
        assertThat(items.get(0).getAttribute("data-level")).isEqualTo("urgent");
        assertThat(items.get(0).getText()).contains("紧急");
        assertThat(items.get(1).getAttribute("data-level")).isEqualTo("staff");

        browser.findElement(By.tagName("body")).sendKeys("n");
        wait.until(d -> d.findElement(By.cssSelector("[data-testid=chat]")).isDisplayed());
        assertThat(text("[data-testid=chat-level]")).isEqualTo("紧急");
        wait.until(d -> text("[data-testid=assignee]").contains("演示社工"));
        assertThat(text("[data-testid=transcript]")).contains("皮带");
        assertThat(browser.findElement(By.cssSelector("[data-testid=queue-mine]")).getAttribute("aria-pressed")).isEqualTo("true");

        // The mandatory report: staff record the police report number of the urgent chat.
        browser.findElement(By.cssSelector("[data-testid=police-number]")).sendKeys("JJ-0415");
        click("[data-testid=police-save]");
        wait.until(d -> text("[data-testid=police-report]").contains("JJ-0415"));

        assertThat(text("[data-testid=chat-answering]")).contains("演示社工 正在回复");

        // On a phone the open chat takes the screen, one panel under the other, the newest message in view.
        for (int i = 0; i < 12; i++) {
            simulate("o-browser-urgent", "他又喝醉了，第 " + i + " 次说这个");
        }
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.navigate().refresh();
        wait.until(d -> d.findElement(By.cssSelector("[data-testid=queue-mine]")).isDisplayed());
        click("[data-testid=queue-mine]");
        click("[data-testid=inbox-item]");
        wait.until(d -> text("[data-testid=transcript]").contains("第 11 次"));
        JavascriptExecutor js = browser;
        wait.until(d -> (Boolean) js.executeScript("const t = document.getElementById('transcript');"
                + "return t.scrollHeight - t.scrollTop - t.clientHeight < 5;"));
        Number profileWidth = (Number) js.executeScript("return document.getElementById('profile').getBoundingClientRect().width;");
        assertThat(profileWidth.doubleValue()).as("the profile card at full width").isGreaterThan(300);
        wait.until(d -> {
            WebElement police = d.findElement(By.cssSelector("[data-testid=police-report]"));
            js.executeScript("arguments[0].scrollIntoView();", police);
            return police.isDisplayed();
        });
        screenshot("console-phone.png");

        // An alarm is closed with a note; the confirm names the level.
        browser.manage().window().setSize(new Dimension(1366, 900));
        click("[data-testid=resolve]");
        org.openqa.selenium.Alert note = wait.until(ExpectedConditions.alertIsPresent());
        assertThat(note.getText()).contains("紧急");
        note.sendKeys("派出所已出警");
        note.accept();
        wait.until(d -> text("[data-testid=chat-level]").contains("已交回机器人"));
        assertThat(text("[data-testid=transcript]")).contains("【处理结果】派出所已出警");
    }

    @Test
    @DisplayName("A message with <script> shows as the characters typed, in the inbox and the transcript, and runs nothing")
    void scriptIsText() {
        start(Map.of(), Clock.systemUTC());
        String evil = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\"> 人工";
        simulate("o-browser-evil", evil);
        simulate("o-browser-evil", "人工");
        browser.get(careline.adminUrl() + "/console/");
        consoleTab = browser.getWindowHandle();
        signIn();
        click("[data-testid=inbox-item]");
        wait.until(d -> text("[data-testid=transcript]").contains("<script>window.pwned=1</script>"));
        assertThat(text("[data-testid=transcript]")).contains("<img src=x onerror=\"window.pwned=2\">");
        assertThat(browser.findElements(By.cssSelector("#transcript script, #transcript img"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.pwned === undefined;")).isEqualTo(true);
    }

    @Test
    @DisplayName("Two days later the window is closed: the console says so, refuses the reply and sends the template notice instead")
    void windowClosed() {
        MovableClock clock = new MovableClock();
        start(Map.of("CARELINE_CONSOLE_NOTICE_TEMPLATE_ID", "tmpl-console-notice", "CARELINE_CONSOLE_SESSION_MAX", "7d"),
                clock);
        simulate(PARENT, "人工");
        browser.get(careline.adminUrl() + "/console/");
        consoleTab = browser.getWindowHandle();
        signIn();
        click("[data-testid=inbox-item]");
        click("[data-testid=claim]");
        wait.until(d -> text("[data-testid=assignee]").contains("演示社工"));
        assertThat(browser.findElement(By.cssSelector("[data-testid=window-banner]")).isDisplayed()).isFalse();

        clock.advance(Duration.ofHours(49));
        WebElement reply = browser.findElement(By.cssSelector("[data-testid=reply-text]"));
        reply.sendKeys("王女士，您还需要帮助吗？");
        click("[data-testid=send]");
        wait.until(d -> d.findElement(By.cssSelector("[data-testid=window-banner]")).isDisplayed());
        assertThat(text("[data-testid=window-banner]")).contains("48 小时");
        assertThat(pushedTexts(PARENT)).doesNotContain("王女士，您还需要帮助吗？");

        click("[data-testid=send-notice]");
        wait.until(d -> pushed(PARENT).stream().anyMatch(m -> "template".equals(m.getString("type"))));
        wait.until(d -> text("[data-testid=transcript]").contains("模板通知"));
    }

    // ---- steps ----------------------------------------------------------------------------------------------

    private void start(Map<String, String> env, Clock clock) {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger accounts = (Logger) LoggerFactory.getLogger(StaffAccounts.class);
        log.start();
        accounts.addAppender(log);
        try {
            redis = TestRedis.start();
            Map<String, String> all = new HashMap<>(env);
            all.put("CARELINE_REDIS_URL", redis.url());
            careline = RunningCareLine.start(all, clock);
        } finally {
            accounts.detachAppender(log);
        }
        // The newcomer's way in: the sandbox prints the demo caseworker's password in the log.
        demoPassword = log.list.stream().map(ILoggingEvent::getFormattedMessage).map(DEMO_PASSWORD::matcher)
                .filter(Matcher::find).map(m -> m.group(1)).findFirst()
                .orElseThrow(() -> new AssertionError("the sandbox logged no demo account"));
        browser = startBrowser();
        wait = new WebDriverWait(browser, PATIENCE, Duration.ofMillis(50));
        // Live updates re-render parts of the page at any moment: an element found a moment ago may be replaced.
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        wait.ignoring(StaleElementReferenceException.class);
    }

    private void openConsoleAndSignIn() {
        browser.switchTo().newWindow(WindowType.TAB);
        browser.get(careline.adminUrl() + "/console/");
        consoleTab = browser.getWindowHandle();
        signIn();
    }

    private void signIn() {
        wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("[data-testid=username]"))).sendKeys("demo");
        browser.findElement(By.cssSelector("[data-testid=password]")).sendKeys(demoPassword, Keys.ENTER);
        wait.until(d -> text("[data-testid=who]").contains("演示社工"));
        wait.until(d -> text("[data-testid=live]").contains("实时更新中"));
    }

    private void typeInSimulator(String message) {
        int before = browser.findElements(By.cssSelector("#chat .bubble.bot")).size();
        WebElement input = wait.until(ExpectedConditions.elementToBeClickable(By.id("message-input")));
        input.sendKeys(message, Keys.ENTER);
        wait.until(d -> d.findElements(By.cssSelector("#chat .bubble.bot")).size() > before);
    }

    /** A family's message through the simulator's API (a signed POST /wechat, as WeChat sends it). */
    private void simulate(String openid, String message) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(careline.adminUrl() + "/sandbox/api/send"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("openid", openid).put("type", "text")
                        .put("content", message).encode(), StandardCharsets.UTF_8)).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** What the sandbox's fake WeChat API accepted for this person (customer-service and template messages). */
    private List<JsonObject> pushed(String openid) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(careline.adminUrl() + "/sandbox/api/pushed?openid="
                + openid)).GET().build());
        return new JsonObject(r.body()).getJsonArray("messages").stream().map(JsonObject.class::cast).toList();
    }

    private List<String> pushedTexts(String openid) {
        return pushed(openid).stream().filter(m -> "text".equals(m.getString("type"))).map(m -> m.getString("text")).toList();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private WebElement first(String css) {
        List<WebElement> found = browser.findElements(By.cssSelector(css));
        return found.isEmpty() ? null : found.get(0);
    }

    private String text(String css) {
        // A live update may replace the element between finding and reading it: read it again.
        for (int attempt = 0; ; attempt++) {
            try {
                WebElement e = first(css);
                return e == null ? "" : e.getText();
            } catch (org.openqa.selenium.StaleElementReferenceException replaced) {
                if (attempt == 4) {
                    throw replaced;
                }
            }
        }
    }

    /**
     * Clicks the first element matching {@code css} once it is shown and enabled. Live updates re-render the
     * inbox at any moment, so an element found may be replaced before the click: then it is looked up again.
     */
    private void click(String css) {
        wait.until(d -> {
            try {
                WebElement e = first(css);
                if (e == null || !e.isDisplayed() || !e.isEnabled()) {
                    return false;
                }
                e.click();
                return true;
            } catch (org.openqa.selenium.StaleElementReferenceException replaced) {
                return false;
            }
        });
    }

    private void screenshot(String name) {
        ((JavascriptExecutor) browser).executeScript("document.activeElement.blur();");
        try {
            Files.createDirectories(SHOTS);
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SHOTS.resolve(name),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ChromeDriver startBrowser() {
        // 1366×768, the bureau's usual laptop screen.
        chromium = HeadlessChromium.start(1366, 768, "--autoplay-policy=no-user-gesture-required");
        return chromium.driver();
    }
}
