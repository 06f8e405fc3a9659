package org.careline.redis;

import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisConnectorTest {

    @Test
    @DisplayName("A redis:// URL is one standalone server, spoken to in RESP2")
    void standalone() {
        RedisOptions o = RedisConnector.options("redis://:pw@10.1.2.3:6380/2");
        assertThat(o.getType()).isEqualTo(RedisClientType.STANDALONE);
        assertThat(o.getEndpoints()).containsExactly("redis://:pw@10.1.2.3:6380/2");
        assertThat(o.getPreferredProtocolVersion()).isEqualTo(ProtocolVersion.RESP2);
    }

    @Test
    @DisplayName("A redis-sentinel:// URL lists the sentinels and names the master")
    void sentinel() {
        RedisOptions o = RedisConnector.options("redis-sentinel://:pw@s1:26379,s2:26379,s3:26379/careline");
        assertThat(o.getType()).isEqualTo(RedisClientType.SENTINEL);
        assertThat(o.getRole()).isEqualTo(RedisRole.MASTER);
        assertThat(o.getMasterName()).isEqualTo("careline");
        assertThat(o.getEndpoints()).containsExactly("redis://:pw@s1:26379", "redis://:pw@s2:26379", "redis://:pw@s3:26379");
    }

    @Test
    @DisplayName("A redis-cluster:// URL lists the seed nodes")
    void cluster() {
        RedisOptions o = RedisConnector.options("redis-cluster://n1:7000,n2:7001");
        assertThat(o.getType()).isEqualTo(RedisClientType.CLUSTER);
        assertThat(o.getEndpoints()).containsExactly("redis://n1:7000", "redis://n2:7001");
    }

    @Test
    @DisplayName("A sentinel URL without a master name is refused")
    void sentinelNeedsMaster() {
        assertThatThrownBy(() -> RedisConnector.options("redis-sentinel://s1:26379"))
                .hasMessageContaining("master name");
    }

    @Test
    @DisplayName("All of one person's keys share a hash tag, so one script can write them in Redis Cluster")
    void personKeysShareSlot() {
        String openid = "oAbC123";
        String tag = "{p:" + RedisKeys.person(openid) + "}";
        assertThat(new String[] {RedisKeys.conversation(openid), RedisKeys.transcript(openid), RedisKeys.userCases(openid),
                RedisKeys.caseRecord(openid, "CL261129001"), RedisKeys.outbox(openid), RedisKeys.profile(openid),
                RedisKeys.userLock(openid), RedisKeys.dedup(openid, "m:1")}).allSatisfy(k -> assertThat(k).contains(tag)
                .doesNotContain(openid));
    }

    @Test
    @DisplayName("The pseudonym is the first 128 bits of SHA-256 over careline:person:<openid>, the same on every "
            + "thread and every call (keys written by earlier versions are found again)")
    void pseudonymIsStable() throws Exception {
        // python3 -c "import hashlib; print(hashlib.sha256(b'careline:person:oAbC-openid_123').hexdigest()[:32])"
        assertThat(RedisKeys.person("oAbC-openid_123")).isEqualTo("77abb31851fe84d9f4fcf851e0515cec");
        String[] other = new String[1];
        Thread t = new Thread(() -> {
            RedisKeys.person("someone-else");
            other[0] = RedisKeys.person("oAbC-openid_123");
        });
        t.start();
        t.join();
        assertThat(other[0]).isEqualTo("77abb31851fe84d9f4fcf851e0515cec");
        assertThat(RedisKeys.person("someone-else")).isNotEqualTo(other[0]).hasSize(32);
    }
}
