package org.careline.wechat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeChatSignatureTest {

    private static final String TOKEN = "pamtest";
    private static final String TIMESTAMP = "1409304348";
    private static final String NONCE = "xxxxxx";
    // sha1("1409304348pamtestxxxxxx"), computed outside Java with sha1sum.
    private static final String SIGNATURE = "76480565cbe296026c53aaacd1ad523a1ddba24f";

    @Test
    @DisplayName("sign sorts the parts before hashing, whatever order they are given in")
    void signSortsParts() {
        assertThat(WeChatSignature.sign(TOKEN, TIMESTAMP, NONCE)).isEqualTo(SIGNATURE);
        assertThat(WeChatSignature.sign(NONCE, TOKEN, TIMESTAMP)).isEqualTo(SIGNATURE);
    }

    @Test
    @DisplayName("sign gives WeChat's published msg_signature for its sample safe-mode message")
    void signMatchesPublishedMsgSignature() {
        assertThat(WeChatSignature.sign(OfficialSample.SPAM_TOKEN, OfficialSample.SPAM_TIMESTAMP,
                OfficialSample.SPAM_NONCE, OfficialSample.SPAM_ENCRYPT))
                .isEqualTo(OfficialSample.SPAM_MSG_SIGNATURE);
    }

    @Test
    @DisplayName("sign refuses a null part instead of hashing the word null")
    void signRefusesNull() {
        assertThatThrownBy(() -> WeChatSignature.sign(TOKEN, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(WeChatSignature::sign).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "NULL", value = {
            "the right signature,                   pamtest, 1409304348, xxxxxx, 76480565cbe296026c53aaacd1ad523a1ddba24f, true",
            "the right signature in upper case,     pamtest, 1409304348, xxxxxx, 76480565CBE296026C53AAACD1AD523A1DDBA24F, true",
            "one hex digit changed,                 pamtest, 1409304348, xxxxxx, 76480565cbe296026c53aaacd1ad523a1ddba24e, false",
            "a truncated signature,                 pamtest, 1409304348, xxxxxx, 76480565cbe296026c53aaacd1ad523a, false",
            "another token,                         wrongtk, 1409304348, xxxxxx, 76480565cbe296026c53aaacd1ad523a1ddba24f, false",
            "another timestamp,                     pamtest, 1409304349, xxxxxx, 76480565cbe296026c53aaacd1ad523a1ddba24f, false",
            "another nonce,                         pamtest, 1409304348, xxxxxy, 76480565cbe296026c53aaacd1ad523a1ddba24f, false",
            "a null signature,                      pamtest, 1409304348, xxxxxx, NULL, false",
            "a blank signature,                     pamtest, 1409304348, xxxxxx, '  ', false",
            "a null token,                          NULL,    1409304348, xxxxxx, 76480565cbe296026c53aaacd1ad523a1ddba24f, false",
            "a blank token,                         '',      1409304348, xxxxxx, 76480565cbe296026c53aaacd1ad523a1ddba24f, false",
            "a null timestamp,                      pamtest, NULL,       xxxxxx, 76480565cbe296026c53aaacd1ad523a1ddba24f, false",
            "a null nonce,                          pamtest, 1409304348, NULL,   76480565cbe296026c53aaacd1ad523a1ddba24f, false",
            "non-hex text of the right length,      pamtest, 1409304348, xxxxxx, 我是中文我是中文我是中文我是中文我是中文我是中文我是中文我是中文我是中文我是中文, false",
    })
    @DisplayName("verify accepts only the exact signature and is false for anything missing")
    void verify(String description, String token, String timestamp, String nonce, String signature, boolean ok) {
        assertThat(WeChatSignature.verify(token, timestamp, nonce, signature)).isEqualTo(ok);
    }

    @Test
    @DisplayName("verifyMsgSignature covers the Encrypt value as well")
    void verifyMsgSignature() {
        String encrypt = OfficialSample.SPAM_ENCRYPT;
        assertThat(WeChatSignature.verifyMsgSignature(OfficialSample.SPAM_TOKEN, OfficialSample.SPAM_TIMESTAMP,
                OfficialSample.SPAM_NONCE, encrypt, OfficialSample.SPAM_MSG_SIGNATURE)).isTrue();
        assertThat(WeChatSignature.verifyMsgSignature(OfficialSample.SPAM_TOKEN, OfficialSample.SPAM_TIMESTAMP,
                OfficialSample.SPAM_NONCE, encrypt + "x", OfficialSample.SPAM_MSG_SIGNATURE)).isFalse();
        assertThat(WeChatSignature.verifyMsgSignature(OfficialSample.SPAM_TOKEN, OfficialSample.SPAM_TIMESTAMP,
                OfficialSample.SPAM_NONCE, null, OfficialSample.SPAM_MSG_SIGNATURE)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "NULL", value = {
            "exactly now,                 1700000000, true",
            "5 minutes ago,               1699999700, true",
            "5 minutes ahead,             1700000300, true",
            "5 minutes and 1 s ago,       1699999699, false",
            "5 minutes and 1 s ahead,     1700000301, false",
            "a day ago,                   1699913600, false",
            "in milliseconds,             1700000000000, false",
            "negative,                    -1700000000, false",
            "with a plus sign,            +1700000000, false",
            "with a decimal point,        1700000000.5, false",
            "with spaces,                 ' 1700000000', false",
            "letters,                     abc, false",
            "empty,                       '', false",
            "null,                        NULL, false",
            "too long to be a number,     99999999999999999999999, false",
    })
    @DisplayName("freshTimestamp accepts only digits within 5 minutes either way")
    void freshTimestamp(String description, String timestamp, boolean fresh) {
        Instant now = Instant.ofEpochSecond(1_700_000_000L);
        assertThat(WeChatSignature.freshTimestamp(timestamp, now, Duration.ofMinutes(5))).isEqualTo(fresh);
        assertThat(WeChatSignature.freshTimestamp(timestamp, now)).isEqualTo(fresh);
    }
}
