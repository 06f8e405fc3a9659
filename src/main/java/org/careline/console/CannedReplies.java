package org.careline.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ready-made replies a caseworker picks from and edits before sending. Seeded once from the configured
 * file; from then on admin edits them in the console (kept in Redis, shared by every instance).
 */
final class CannedReplies {

    static final int MAX_REPLIES = 50;
    static final int MAX_TITLE = 20;

    private final Vertx vertx;
    private final ConsoleStore store;
    private final Path file;

    CannedReplies(Vertx vertx, ConsoleStore store, Path file) {
        this.vertx = vertx;
        this.store = store;
        this.file = file;
    }

    /** Seeds Redis from the file unless admin has set the replies already. A missing file seeds none. */
    Future<Void> seed() {
        return vertx.executeBlocking(() -> read(file), false).compose(replies -> store.seedCannedReplies(replies.encode()));
    }

    Future<JsonArray> list() {
        return store.cannedReplies().map(json -> json == null ? new JsonArray() : new JsonArray(json));
    }

    Future<Void> save(JsonArray replies) {
        JsonArray clean = new JsonArray();
        replies.forEach(o -> {
            JsonObject r = (JsonObject) o;
            clean.add(new JsonObject().put("title", r.getString("title").strip()).put("text", r.getString("text").strip()));
        });
        return store.saveCannedReplies(clean.encode());
    }

    /** What is wrong with an edited list, in words for admin; null when it is fine. */
    static String problem(JsonArray replies) {
        if (replies == null) {
            return "需要 replies 列表";
        }
        if (replies.size() > MAX_REPLIES) {
            return "最多 " + MAX_REPLIES + " 条快捷回复";
        }
        for (Object o : replies) {
            if (!(o instanceof JsonObject r) || !(r.getValue("title") instanceof String title)
                    || !(r.getValue("text") instanceof String text) || title.isBlank() || text.isBlank()) {
                return "每条快捷回复都要有标题和内容";
            }
            if (title.strip().length() > MAX_TITLE) {
                return "标题最多 " + MAX_TITLE + " 个字：" + title;
            }
            if (text.strip().codePointCount(0, text.strip().length()) > ConsoleApi.MAX_TEXT) {
                return "内容最多 " + ConsoleApi.MAX_TEXT + " 个字：" + title;
            }
        }
        return null;
    }

    /** {@code replies: [{title, text}]}; a file that does not exist is an empty list. */
    static JsonArray read(Path file) throws java.io.IOException {
        JsonArray out = new JsonArray();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        JsonNode list = root == null ? null : root.get("replies");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException(file + ": needs a list 'replies' of {title, text}");
        }
        for (JsonNode r : list) {
            out.add(new JsonObject().put("title", r.path("title").asText()).put("text", r.path("text").asText()));
        }
        String problem = problem(out);
        if (problem != null) {
            throw new IllegalArgumentException(file + ": " + problem);
        }
        return out;
    }
}
