package org.careline.wechat;

import org.careline.conversation.Incoming;
import org.careline.flow.Input;

import java.util.Optional;

/** Turns a WeChat message into what the orchestrator takes; events that need no step have no input. */
final class InputMapping {

    private InputMapping() {
    }

    static Incoming incoming(InboundMessage m) {
        return new Incoming(m.fromUser(), m.dedupKey(), m.kind().name(), of(m).orElse(null), transcriptText(m),
                attachment(m), m.kind() == InboundMessage.Kind.UNSUBSCRIBE);
    }

    /** The photo or voice note a message carried, by the id of the copy CareLine keeps of it. */
    static Incoming.Attachment attachment(InboundMessage m) {
        if (m.mediaId() == null || m.mediaId().isBlank()) {
            return null;
        }
        return switch (m.kind()) {
            case IMAGE -> new Incoming.Attachment("image", org.careline.cases.CasePayload.mediaFile(m.mediaId()));
            case VOICE -> new Incoming.Attachment("voice", org.careline.cases.CasePayload.mediaFile(m.mediaId()));
            default -> null;
        };
    }

    static Optional<Input> of(InboundMessage m) {
        return Optional.ofNullable(switch (m.kind()) {
            case TEXT -> new Input.Text(m.content() == null ? "" : m.content());
            // Speech recognition is being retired by WeChat: a voice note is an attachment, not text; but its
            // recognised text, when there is one, is still read for danger.
            case VOICE -> new Input.Media(Input.MediaKind.VOICE, m.mediaId(), m.recognition());
            case IMAGE -> new Input.Media(Input.MediaKind.IMAGE, m.mediaId());
            case VIDEO, SHORT_VIDEO -> new Input.Media(Input.MediaKind.VIDEO, m.mediaId());
            case LOCATION -> new Input.Location(
                    m.latitude() == null ? 0 : m.latitude(), m.longitude() == null ? 0 : m.longitude(), m.label());
            case LINK -> new Input.Text(m.title() == null ? "" : m.title());
            case SUBSCRIBE -> new Input.Follow(m.qrScene());
            case SCAN -> new Input.Scan(m.qrScene());
            case CLICK -> new Input.MenuClick(m.eventKey() == null ? "" : m.eventKey());
            // Unsubscribe is handled by the orchestrator (data deletion); the rest need no answer.
            case UNSUBSCRIBE, VIEW, LOCATION_REPORT, TEMPLATE_SEND_JOB_FINISH, UNKNOWN -> null;
        });
    }

    /** What the transcript shows for a message: its text, or what kind of attachment it was. */
    static String transcriptText(InboundMessage m) {
        return switch (m.kind()) {
            case TEXT -> m.content();
            case VOICE -> m.recognition() == null || m.recognition().isBlank() ? "[语音]" : "[语音] " + m.recognition();
            case IMAGE -> "[图片]";
            case VIDEO, SHORT_VIDEO -> "[视频]";
            case LOCATION -> "[位置] " + (m.label() == null ? "" : m.label());
            case LINK -> "[链接] " + (m.title() == null ? "" : m.title());
            case SUBSCRIBE -> "[关注]";
            case SCAN -> "[扫码]";
            case CLICK -> "[菜单] " + m.eventKey();
            default -> "[" + m.kind() + "]";
        };
    }
}
