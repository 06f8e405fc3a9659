package org.careline.flow;

/** What a person did, as the engine sees it: parsed and typed at the edge, no XML, no WeChat ids. */
public sealed interface Input {

    /** A text message (already the raw text; the engine normalises it). */
    record Text(String text) implements Input {}

    /** A custom-menu click ({@code CLICK} event key). */
    record MenuClick(String key) implements Input {}

    /** A shared location. */
    record Location(double latitude, double longitude, String label) implements Input {}

    /**
     * An image, voice note or video; {@code mediaId} is WeChat's temporary media id. {@code recognition} is
     * the text WeChat recognised in a voice note, when it still sends one (often empty): read for danger only.
     */
    record Media(MediaKind kind, String mediaId, String recognition) implements Input {

        public Media(MediaKind kind, String mediaId) {
            this(kind, mediaId, null);
        }
    }

    /** Followed the account, possibly by scanning a parametric QR code ({@code scene} may be null). */
    record Follow(String scene) implements Input {}

    /** Scanned a parametric QR code while already following. */
    record Scan(String scene) implements Input {}

    enum MediaKind { IMAGE, VOICE, VIDEO }
}
