package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import k8sprom.testsupport.EtcdServer;
import k8sprom.testsupport.FreePort;
import k8sprom.testsupport.SharedEtcd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Finding Netmaster through a real etcd 3.4 with the v2 API, as Contiv's leader election leaves it there.
 */
@ExtendWith(SharedEtcd.class)
class EtcdLeaderLookupIT {

    private static final String LEADER_KEY = "contiv.io/lock/netmaster/leader";
    private static final JsonHttp HTTP = new JsonHttp(Duration.ofSeconds(2));

    static EtcdServer etcd;

    @BeforeAll
    static void start(EtcdServer sharedEtcd) {
        etcd = sharedEtcd;
    }

    @BeforeEach
    void leaderIsKnown() throws Exception {
        etcd.put(LEADER_KEY, "10.0.0.7:9999");
    }

    @Test
    void findsTheLeaderGivenAnEtcdSchemeAddress() {
        String contivEtcd = "etcd://" + etcd.clientUrl().substring("http://".length());

        assertEquals(URI.create("http://10.0.0.7:9999"), new EtcdLeaderLookup(contivEtcd, HTTP).netmasterUri());
    }

    @Test
    void findsTheLeaderGivenAnHttpAddress() {
        assertEquals(
                URI.create("http://10.0.0.7:9999"), new EtcdLeaderLookup(etcd.clientUrl() + "/", HTTP).netmasterUri());
    }

    @Test
    void usesNetmastersDefaultPortWhenTheLeaderNamesNone() throws Exception {
        etcd.put(LEADER_KEY, "netmaster-0.contiv");

        assertEquals(
                URI.create("http://netmaster-0.contiv:9999"),
                new EtcdLeaderLookup(etcd.clientUrl(), HTTP).netmasterUri());
    }

    @Test
    void missingKeyIsReportedWithTheUrlAndEtcdsAnswer() throws Exception {
        etcd.delete(LEADER_KEY);

        SourceException failure =
                assertThrows(SourceException.class, () -> new EtcdLeaderLookup(etcd.clientUrl(), HTTP).netmasterUri());

        assertTrue(
                failure.getMessage()
                        .startsWith("etcd GET " + etcd.clientUrl()
                                + "/v2/keys/contiv.io/lock/netmaster/leader answered HTTP 404 (body: {\"errorCode\":100,"
                                + "\"message\":\"Key not found\""),
                failure.getMessage());
    }

    @Test
    void etcdThatDoesNotListenIsReported() throws Exception {
        String nobody = "http://127.0.0.1:" + FreePort.find();

        SourceException failure =
                assertThrows(SourceException.class, () -> new EtcdLeaderLookup(nobody, HTTP).netmasterUri());

        assertEquals(
                "etcd GET " + nobody + "/v2/keys/contiv.io/lock/netmaster/leader failed: cannot connect",
                failure.getMessage());
    }
}
