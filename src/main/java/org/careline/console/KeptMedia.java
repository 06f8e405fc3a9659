package org.careline.console;

import io.vertx.core.Future;

import java.nio.file.Path;

/**
 * The photos and voice notes a person sent, as CareLine keeps them: staff open them through the console, so
 * no WeChat URL ever reaches a browser. An interface so that the console does not depend on where files live.
 */
public interface KeptMedia {

    /** A kept file and how to serve it. */
    record File(Path path, String contentType) {}

    /** The file {@code file} if this person sent it and it is kept (fetched, not past retention), else null. */
    Future<File> of(String openid, String file);

    KeptMedia NONE = (openid, file) -> Future.succeededFuture(null);
}
