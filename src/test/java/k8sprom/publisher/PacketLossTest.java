package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketLossTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2019-02-13T10:14:32.897Z");

    private List<JsonNode> derive(PacketLoss packetLoss) {
        return packetLoss.derive().stream().map(m -> {
            try {
                return JSON.readTree(m.json());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).sorted(Comparator.comparing(n -> n.get("metric_type").asText())).toList();
    }

    @Test
    void percentageIsDroppedTimesHundredOverTotalWithTheLatestTimestamp() {
        PacketLoss packetLoss = new PacketLoss();
        packetLoss.record(PacketLoss.RECEIVE_DROPPED, "vim-1", new Sample(T0, "1.5"));
        packetLoss.record(PacketLoss.RECEIVE_TOTAL, "vim-1", new Sample(T0.plusSeconds(20), "6"));

        List<JsonNode> messages = derive(packetLoss);

        assertEquals(1, messages.size());
        JsonNode message = messages.get(0);
        assertEquals("vim-1", message.get("container_id").asText());
        assertEquals("container_network_receive_packet_loss_percentage", message.get("metric_type").asText());
        assertEquals("counter", message.get("type").asText());
        JsonNode sample = message.get("data").get(0);
        assertEquals("%", sample.get("unit").asText());
        assertEquals("counter", sample.get("type").asText());
        assertTrue(sample.get("value").isNumber(), "derived values are JSON numbers");
        assertEquals(25.0, sample.get("value").asDouble());
        assertEquals("2019-02-13T10:14:52.897000Z", sample.get("timestamp").asText());
    }

    @Test
    void zeroTotalGivesZero() {
        PacketLoss packetLoss = new PacketLoss();
        packetLoss.record(PacketLoss.TRANSMIT_DROPPED, "vim-2", new Sample(T0, "0"));
        packetLoss.record(PacketLoss.TRANSMIT_TOTAL, "vim-2", new Sample(T0, "0"));

        JsonNode message = derive(packetLoss).get(0);
        assertEquals("container_network_transmit_packet_loss_percentage", message.get("metric_type").asText());
        assertEquals(0.0, message.get("data").get(0).get("value").asDouble());
    }

    @Test
    void aDirectionWithOnlyOneOfItsRatesGivesNoMessage() {
        PacketLoss packetLoss = new PacketLoss();
        packetLoss.record(PacketLoss.RECEIVE_DROPPED, "vim-3", new Sample(T0, "1"));
        packetLoss.record("container_memory_usage_bytes", "vim-3", new Sample(T0, "1"));

        assertTrue(packetLoss.derive().isEmpty());
    }

    @Test
    void laterSamplesReplaceEarlierOnesWhateverTheOrderOfArrival() {
        PacketLoss packetLoss = new PacketLoss();
        packetLoss.record(PacketLoss.RECEIVE_DROPPED, "vim-4", new Sample(T0.plusSeconds(20), "2"));
        packetLoss.record(PacketLoss.RECEIVE_DROPPED, "vim-4", new Sample(T0, "9"));
        packetLoss.record(PacketLoss.RECEIVE_TOTAL, "vim-4", new Sample(T0.plusSeconds(20), "8"));

        assertEquals(25.0, derive(packetLoss).get(0).get("data").get(0).get("value").asDouble());
    }
}
