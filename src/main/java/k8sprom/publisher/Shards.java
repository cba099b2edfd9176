package k8sprom.publisher;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * Which shard a metric belongs to: the partition of the positions topic that Kafka's default partitioner picks for
 * the metric's name as key. A shard's positions therefore all live in its own partition, so the replica that owns the
 * partition (by group membership) owns the metrics, and reads their positions from that partition alone.
 */
public final class Shards {

    private Shards() {}

    public static int of(String metric, int shards) {
        return Utils.toPositive(Utils.murmur2(metric.getBytes(StandardCharsets.UTF_8))) % shards;
    }
}
