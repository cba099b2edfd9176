package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class EtcdLeaderLookupTest {

    @Test
    void etcdSchemeMeansPlainHttpToTheSameAddress() {
        assertEquals(URI.create("http://10.0.0.1:2379"), EtcdLeaderLookup.etcdBaseUri("etcd://10.0.0.1:2379"));
    }

    @Test
    void httpAndHttpsAddressesAreKept() {
        assertEquals(
                URI.create("http://etcd.kube-system:6666"),
                EtcdLeaderLookup.etcdBaseUri("http://etcd.kube-system:6666/"));
        assertEquals(URI.create("https://10.0.0.1:2379"), EtcdLeaderLookup.etcdBaseUri("https://10.0.0.1:2379"));
    }

    @Test
    void bareHostAndPortIsAccepted() {
        assertEquals(URI.create("http://127.0.0.1:2379"), EtcdLeaderLookup.etcdBaseUri(" 127.0.0.1:2379 "));
    }

    @Test
    void addressWithAPathIsRefused() {
        for (String bad : new String[] {"etcd://10.0.0.1:2379/v2", "etcd://"}) {
            IllegalArgumentException failure =
                    assertThrows(IllegalArgumentException.class, () -> EtcdLeaderLookup.etcdBaseUri(bad), bad);
            assertTrue(failure.getMessage().startsWith("CONTIV_ETCD"), failure.getMessage());
        }
    }

    @Test
    void asksForTheNetmasterLeaderKey() {
        EtcdLeaderLookup lookup = new EtcdLeaderLookup("etcd://10.0.0.1:2379", null);

        assertEquals(URI.create("http://10.0.0.1:2379/v2/keys/contiv.io/lock/netmaster/leader"), lookup.leaderKeyUri());
    }
}
