package org.careline.conversation;

import org.careline.flow.Input;

import java.util.Objects;

/**
 * One message or event as the orchestrator takes it, whatever channel brought it: the channel (today
 * {@code wechat/}) parses its own format at the edge and maps it to this, so the conversation never sees XML.
 *
 * @param openid     who sent it
 * @param dedupKey   the key the channel's retries of it share, unique among one person's messages; never
 *                   the openid, so it may be logged
 * @param kind       what it was (a message or event type), for the logs
 * @param input      what the engine hears, or null when nothing in the conversation reacts to it
 * @param transcript what the transcript shows for it
 * @param media      the photo or voice note it carried, as the transcript links it (null for none)
 * @param unsubscribe the person left the account: their conversation data is deleted (PIPL)
 */
public record Incoming(String openid, String dedupKey, String kind, Input input, String transcript,
                       Attachment media, boolean unsubscribe) {

    public Incoming {
        Objects.requireNonNull(openid, "openid");
        Objects.requireNonNull(dedupKey, "dedupKey");
    }

    public Incoming(String openid, String dedupKey, String kind, Input input, String transcript, boolean unsubscribe) {
        this(openid, dedupKey, kind, input, transcript, null, unsubscribe);
    }

    /**
     * A photo or voice note: {@code kind} {@code image} or {@code voice}, {@code file} CareLine's id of the
     * copy it keeps (staff open it through the console, never through a WeChat URL).
     */
    public record Attachment(String kind, String file) {}
}
