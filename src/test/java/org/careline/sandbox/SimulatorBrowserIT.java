package org.careline.sandbox;

import org.careline.testing.HeadlessChromium;
import org.careline.testing.RunningCareLine;
import org.careline.testing.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The simulator page in a real headless Chromium, against a whole CareLine in sandbox mode: every click
 * goes through the page's JavaScript, the simulator API and the service's real signed {@code POST /wechat}.
 */
class SimulatorBrowserIT {

    // Debian's packages (./scripts/test.sh installs them). Both are named explicitly so that Selenium Manager
    // never looks for, or downloads, a browser or a driver of its own.
    static final Duration PATIENCE = Duration.ofSeconds(15);
    static final Duration POLL = Duration.ofMillis(50);
    static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    private TestRedis redis;
    private RunningCareLine careline;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private HeadlessChromium chromium;

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
    @DisplayName("A new follower is welcomed with the menu, gets the menu again for 菜单, and a custom-menu click is answered")
    void newFollowerTalksToTheBot() {
        open(Map.of());
        assertThat(browser.findElement(By.cssSelector("[data-testid=sandbox-badge]")).getText()).isEqualTo("沙盒");

        choosePersona("新关注的用户");
        follow();

        int welcomed = botBubbles().size();
        type("菜单");
        assertThat(awaitNewBotBubble(welcomed, "申请帮助")).contains("请问需要什么帮助");

        int before = botBubbles().size();
        clickMenu("MENU_STATUS");
        assertThat(awaitNewBotBubble(before, "求助")).contains("还没有查到您在这里提交过的求助");
        assertThat(texts(By.cssSelector("#chat [data-testid=notice]"))).contains("点击了菜单「查询进度」");

        // Another persona has a conversation of its own; coming back shows this one again.
        int shown = botBubbles().size();
        choosePersona("王女士（家长）");
        wait.until(d -> botBubbles().size() != shown);
        choosePersona("新关注的用户");
        wait.until(d -> botBubbles().size() == shown);

        screenshot(Path.of("target", "screenshots", "simulator.png"));
    }

    @Test
    @DisplayName("A newcomer completes a help request in the simulator and sees the case number")
    void newcomerCompletesHelpRequest() {
        open(Map.of());
        choosePersona("新关注的用户");
        follow();
        String[][] steps = {
                {"1", "同意吗"},
                {"同意", "怎么称呼"},
                {"王女士", "什么人"},
                {"1", "多大"},
                {"1", "哪方面"},
                {"1", "情况"},
                {"宝宝贫血，奶粉一个月两千块，实在拿不出", "补充"},
                {"不用了", "哪个镇"},
                {"凤凰街道", "社区"},
                {"园林社区", "户口"},
                {"1", "突然"},
                {"2", "手机号"},
                {"13812345678", "请核对"},
        };
        for (String[] step : steps) {
            int before = botBubbles().size();
            type(step[0]);
            awaitNewBotBubble(before, step[1]);
        }
        int before = botBubbles().size();
        type("对的");
        String done = awaitNewBotBubble(before, "编号");
        assertThat(done).containsPattern("编号 CL\\d{9}").contains("10 个工作日");
        screenshot(Path.of("target", "screenshots", "simulator-help-request.png"));
    }

    @Test
    @DisplayName("Replies that come later through the customer-service API appear on the phone too")
    void pushedReplies() {
        // A reply budget nothing can meet: every answer goes out as a customer-service message.
        open(Map.of("CARELINE_WECHAT_REPLY_BUDGET", "1ms"));
        choosePersona("新关注的用户");
        follow();
        int before = botBubbles().size();
        type("菜单");
        assertThat(awaitNewBotBubble(before, "请问需要什么帮助")).contains("申请帮助");
    }

    @Test
    @DisplayName("The director persona sees the community child director's menu")
    void directorPersona() {
        open(Map.of());
        choosePersona("李主任（儿童主任）");
        int before = botBubbles().size();
        type("菜单");
        assertThat(awaitNewBotBubble(before, "儿童主任您好")).contains("登记一次走访").contains("寺巷社区");
    }

    @Test
    @DisplayName("In safe mode the simulator encrypts what it sends and still shows the bot's replies")
    void safeModeConversation() {
        open(Map.of("CARELINE_WECHAT_AES_KEY", AES_KEY));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=safe-mode-badge]")));

        choosePersona("新关注的用户");
        follow();

        int before = botBubbles().size();
        type("菜单");
        assertThat(awaitNewBotBubble(before, "申请帮助")).contains("申请帮助");

        screenshot(Path.of("target", "screenshots", "simulator-safe-mode.png"));
    }

    // ---- steps a person takes ------------------------------------------------------------------------------

    private void open(Map<String, String> env) {
        redis = TestRedis.start();
        Map<String, String> all = new HashMap<>(env);
        all.put("CARELINE_REDIS_URL", redis.url());
        careline = RunningCareLine.start(all);
        assertThat(careline.config().wechat().sandbox()).as("no app id configured means sandbox mode").isTrue();

        browser = startBrowser();
        wait = waiting();
        browser.get(careline.adminUrl() + "/simulator/");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("persona")));
        wait.until(d -> !d.findElements(By.cssSelector("#menu .menu-button")).isEmpty());
    }

    private void choosePersona(String name) {
        new Select(browser.findElement(By.id("persona"))).selectByVisibleText(name);
    }

    /** Follows the account and waits for the welcome, which ends with the main menu. */
    private void follow() {
        WebElement follow = wait.until(ExpectedConditions.elementToBeClickable(By.id("follow")));
        assertThat(follow.getText()).isEqualTo("关注");
        follow.click();
        String welcome = awaitNewBotBubble(0, "申请帮助");
        assertThat(welcome).contains("欢迎").contains("申请帮助");
        assertThat(texts(By.cssSelector("#chat [data-testid=notice]"))).contains("你关注了公众号");
        assertThat(browser.findElement(By.id("follow")).getText()).isEqualTo("取消关注");
        // "正在输入…" is shown only while a send is unanswered.
        wait.until(d -> d.findElement(By.id("typing")).getText().isEmpty());
    }

    /** Types a message and sends it with Enter, as a person would. */
    private void type(String text) {
        WebElement input = wait.until(ExpectedConditions.elementToBeClickable(By.id("message-input")));
        input.sendKeys(text, Keys.ENTER);
        wait.until(d -> texts(By.cssSelector("#chat .bubble.user")).contains(text));
        assertThat(input.getAttribute("value")).isEmpty();
    }

    /** Clicks the custom-menu entry with this key, opening its sub-menu first if it has one. */
    private void clickMenu(String key) {
        WebElement item = browser.findElement(By.cssSelector("#menu button[data-key='" + key + "']"));
        if (!item.isDisplayed()) {
            WebElement toggle = item.findElement(By.xpath("ancestor::div[contains(@class,'menu-item')]/button"));
            toggle.click();
            wait.until(ExpectedConditions.visibilityOf(item));
        }
        item.click();
    }

    // ---- what the page shows -------------------------------------------------------------------------------

    private List<WebElement> botBubbles() {
        return browser.findElements(By.cssSelector("#chat .bubble.bot"));
    }

    private List<String> texts(By by) {
        return browser.findElements(by).stream().map(WebElement::getText).toList();
    }

    /** Waits for a bot bubble after the first {@code known} ones that contains {@code expected}; returns its text. */
    private String awaitNewBotBubble(int known, String expected) {
        return waiting().withMessage(() -> "a new bot bubble containing “" + expected + "”; the chat shows: "
                        + texts(By.cssSelector("#chat > *")))
                .until(d -> {
                    List<WebElement> bubbles = botBubbles();
                    return bubbles.stream().skip(known).map(WebElement::getText)
                            .filter(t -> t.contains(expected)).reduce((a, b) -> b).orElse(null);
                });
    }

    private WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(browser, PATIENCE, POLL);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private void screenshot(Path target) {
        // The picture shows the end of the conversation, without a focus ring left by the last click.
        ((JavascriptExecutor) browser).executeScript(
                "document.activeElement.blur(); const c = document.getElementById('chat'); c.scrollTop = c.scrollHeight;");
        try {
            Files.createDirectories(target.getParent());
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ChromeDriver startBrowser() {
        chromium = HeadlessChromium.start(1000, 900);
        return chromium.driver();
    }
}
