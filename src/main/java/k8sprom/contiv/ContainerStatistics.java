package k8sprom.contiv;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns an OVS interface's statistics into the container's point of view: what the switch port transmits, the
 * container receives, so rx_* and tx_* swap. Other keys (collisions, and whatever a datapath adds) pass through.
 */
final class ContainerStatistics {

    private ContainerStatistics() {}

    static Map<String, Long> fromSwitchSide(Map<String, Long> switchSide) {
        return fromSwitchSide(switchSide, new HashMap<>());
    }

    /** As above, reusing the reversed keys already computed for other interfaces (every interface has the same few). */
    static Map<String, Long> fromSwitchSide(Map<String, Long> switchSide, Map<String, String> reversedKeys) {
        Map<String, Long> containerSide = new TreeMap<>();
        switchSide.forEach((key, value) ->
                containerSide.put(reversedKeys.computeIfAbsent(key, ContainerStatistics::reverse), value));
        return containerSide;
    }

    static String reverse(String key) {
        if (key.startsWith("rx_")) {
            return "tx_" + key.substring(3);
        }
        if (key.startsWith("tx_")) {
            return "rx_" + key.substring(3);
        }
        return key;
    }
}
