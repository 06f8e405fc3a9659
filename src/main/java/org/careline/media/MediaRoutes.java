package org.careline.media;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.careline.http.Failures;

import java.time.Clock;

/**
 * {@code GET /api/media/<file>?expires&sig} on the internal port: a kept photo or voice note for the back
 * office, by the signed link its case event carries ({@link MediaLinks}). Forged or expired links get 403.
 */
public final class MediaRoutes {

    private final MediaArchive archive;
    private final MediaLinks links;
    private final Clock clock;

    public MediaRoutes(MediaArchive archive, MediaLinks links, Clock clock) {
        this.archive = archive;
        this.links = links;
        this.clock = clock;
    }

    public void mount(Router router) {
        router.get(MediaLinks.PATH + ":file").handler(this::serve);
    }

    private void serve(RoutingContext ctx) {
        String file = ctx.pathParam("file");
        if (!links.valid(file, ctx.request().getParam("expires"), ctx.request().getParam("sig"), clock.instant())) {
            Failures.error(ctx, 403, "this media link is not valid or has expired");
            return;
        }
        archive.stored(file).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(503, ar.cause());
                return;
            }
            MediaArchive.Stored stored = ar.result();
            if (stored == null) {
                Failures.error(ctx, 404, "not kept: not fetched from WeChat yet, or past its retention");
                return;
            }
            ctx.response()
                    .putHeader("Content-Type", stored.contentType())
                    .putHeader("Content-Disposition", "attachment; filename=\"" + stored.path().getFileName() + "\"")
                    .putHeader("Cache-Control", "private, no-store")
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .sendFile(stored.path().toString())
                    .onFailure(e -> {
                        if (!ctx.response().headWritten()) {
                            Failures.error(ctx, 404, "the file is gone");
                        }
                    });
        });
    }
}
