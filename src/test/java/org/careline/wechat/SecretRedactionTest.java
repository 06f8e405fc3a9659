package org.careline.wechat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class SecretRedactionTest {

    @ParameterizedTest(name = "{0}")
    @DisplayName("Credentials in URLs and JSON are masked, everything else is kept")
    @CsvSource(delimiter = '|', value = {
            "POST /cgi-bin/message/custom/send?access_token=ABC.def-123 HTTP/1.1 | POST /cgi-bin/message/custom/send?access_token=*** HTTP/1.1",
            "/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=s3cr3t | /cgi-bin/token?grant_type=client_credential&appid=wx1&secret=***",
            "https://x/y?a=1&access_token=T0K&b=2 | https://x/y?a=1&access_token=***&b=2",
            "{\"access_token\":\"T0K\",\"expires_in\":7200} | {\"access_token\":\"***\",\"expires_in\":7200}",
            "{\"appid\":\"wx1\",\"secret\" : \"s3cr3t\"} | {\"appid\":\"wx1\",\"secret\" : \"***\"}",
            "component_access_token=T0K appsecret=S | component_access_token=*** appsecret=***",
            "errcode 45015 (response out of time limit) | errcode 45015 (response out of time limit)"
    })
    void redacts(String text, String expected) {
        assertThat(SecretRedaction.redact(text)).isEqualTo(expected);
    }
}
