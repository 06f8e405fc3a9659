package org.careline.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What is remembered of one inbound message for WeChat's retries (5 s timeout, up to 3 retries): first a
 * short "being processed" lease naming the turn that holds it, then the reply itself for the dedup window.
 *
 * @param done    the step has been saved; {@code replies} are its texts
 * @param pushed  the reply went out through the customer-service API (a retry then answers "success")
 * @param claim   while processing: the token of the turn that claimed the message
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReplyRecord(boolean done, List<String> replies, boolean pushed, String claim) {

    static ReplyRecord processing(String claim) {
        return new ReplyRecord(false, null, false, claim);
    }

    static ReplyRecord answered(List<String> replies, boolean pushed) {
        return new ReplyRecord(true, replies, pushed, null);
    }
}
