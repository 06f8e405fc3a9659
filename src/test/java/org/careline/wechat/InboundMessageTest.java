package org.careline.wechat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class InboundMessageTest {

    static InboundMessage of(InboundMessage.Kind kind, String msgId, long createTime, String eventKey) {
        return new InboundMessage("gh", "oUser", createTime, kind, msgId, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, eventKey, null, null);
    }

    @ParameterizedTest(name = "{0} msgId={1} time={2} key={3} -> {4}")
    @CsvSource(nullValues = "-", value = {
            "TEXT, 123456, 1700000000, -, m:123456",
            "IMAGE, 99, 1700000000, -, m:99",
            "SUBSCRIBE, -, 1700000000, -, e:1700000000:SUBSCRIBE:",
            "SUBSCRIBE, -, 1700000000, qrscene_42, e:1700000000:SUBSCRIBE:qrscene_42",
            "CLICK, -, 1700000001, MENU_HELP, e:1700000001:CLICK:MENU_HELP",
            // TEMPLATESENDJOBFINISH carries a MsgID, but it is an event: the event key shape applies.
            "TEMPLATE_SEND_JOB_FINISH, 555, 1700000002, -, e:1700000002:TEMPLATE_SEND_JOB_FINISH:",
            "TEXT, -, 1700000003, -, e:1700000003:TEXT:",
    })
    @DisplayName("Retries share a dedup key: MsgId for messages, time+event+key for events (the ledger adds the person)")
    void dedupKeys(InboundMessage.Kind kind, String msgId, long time, String key, String expected) {
        assertThat(of(kind, msgId, time, key).dedupKey()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} {1} -> scene {2}")
    @CsvSource(nullValues = "-", value = {
            "SUBSCRIBE, qrscene_community-12, community-12",
            "SUBSCRIBE, -, -",
            "SCAN, community-12, community-12",
            "CLICK, MENU_HELP, -",
    })
    @DisplayName("The QR scene of a follow or scan is read from its event key")
    void qrScene(InboundMessage.Kind kind, String key, String scene) {
        assertThat(of(kind, null, 1, key).qrScene()).isEqualTo(scene);
    }
}
