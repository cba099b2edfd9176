package k8sprom.contiv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.api.Test;

class NetmasterApiTest {

    @Test
    void putsApiPathsUnderTheNetmasterAddress() {
        NetmasterApi api = new NetmasterApi(URI.create("http://10.0.0.7:9999"), null);

        assertEquals(URI.create("http://10.0.0.7:9999/api/v1/networks/"), api.uri("/api/v1/networks/"));
    }

    @Test
    void keepsAPathPrefixOfTheConfiguredUrl() {
        NetmasterApi api = new NetmasterApi(URI.create("https://gateway.example/netmaster/"), null);

        assertEquals(URI.create("https://gateway.example/netmaster/api/v1/tenants/"), api.uri("/api/v1/tenants/"));
    }

    @Test
    void quotesCharactersANetworkKeyMayHold() {
        NetmasterApi api = new NetmasterApi(URI.create("http://nm:9999"), null);

        assertEquals(
                "http://nm:9999/api/v1/inspect/networks/default:my%20net/",
                api.uri("/api/v1/inspect/networks/default:my net/").toString());
    }
}
