package org.careline.conversation;

import io.vertx.core.Future;

/**
 * Files a person sent that CareLine keeps outside Redis (photos, voice notes): deleted with the rest of their
 * data, on request and on unfollow. An interface here so that the conversation does not depend on where the
 * files live.
 */
public interface PersonalFiles {

    /** Deletes every file the person sent; completes with how many. */
    Future<Integer> eraseOf(String openid);

    PersonalFiles NONE = openid -> Future.succeededFuture(0);
}
