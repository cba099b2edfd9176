package k8sprom.publisher;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Collects, during one cycle, the latest packet rates per container and derives the packet-loss percentages
 * the original service sent after all metrics: dropped * 100 / total, 0 when the total is 0.
 */
public class PacketLoss {

    static final String RECEIVE_DROPPED = "container_network_receive_packets_dropped_total";
    static final String RECEIVE_TOTAL = "container_network_receive_packets_total";
    static final String TRANSMIT_DROPPED = "container_network_transmit_packets_dropped_total";
    static final String TRANSMIT_TOTAL = "container_network_transmit_packets_total";

    static final String RECEIVE_LOSS = "container_network_receive_packet_loss_percentage";
    static final String TRANSMIT_LOSS = "container_network_transmit_packet_loss_percentage";

    /** Latest sample per metric per container; only the four packet metrics are kept. */
    private final Map<String, Map<String, Sample>> latest = new ConcurrentHashMap<>();

    public static boolean isInput(String metric) {
        return RECEIVE_DROPPED.equals(metric) || RECEIVE_TOTAL.equals(metric)
                || TRANSMIT_DROPPED.equals(metric) || TRANSMIT_TOTAL.equals(metric);
    }

    public void record(String metric, String containerId, Sample sample) {
        if (isInput(metric)) {
            latest.computeIfAbsent(containerId, id -> new ConcurrentHashMap<>()).merge(metric, sample,
                    (old, candidate) -> candidate.timestamp().isAfter(old.timestamp()) ? candidate : old);
        }
    }

    /** One message per container and direction whose two input rates were both seen in this cycle. */
    public List<OutboundMessage> derive() {
        List<OutboundMessage> messages = new ArrayList<>();
        latest.forEach((containerId, samples) -> {
            derive(containerId, samples, RECEIVE_LOSS, RECEIVE_DROPPED, RECEIVE_TOTAL, messages);
            derive(containerId, samples, TRANSMIT_LOSS, TRANSMIT_DROPPED, TRANSMIT_TOTAL, messages);
        });
        return messages;
    }

    private static void derive(String containerId, Map<String, Sample> samples, String name, String droppedMetric,
                               String totalMetric, List<OutboundMessage> into) {
        Sample dropped = samples.get(droppedMetric);
        Sample total = samples.get(totalMetric);
        if (dropped == null || total == null) {
            return;
        }
        double totalRate = total.number();
        double percentage = totalRate == 0 ? 0 : dropped.number() * 100 / totalRate;
        Sample at = dropped.timestamp().isAfter(total.timestamp()) ? dropped : total;
        into.add(new OutboundMessage(containerId,
                MessageWriter.computed(containerId, name, "counter", "%", at, percentage)));
    }
}
