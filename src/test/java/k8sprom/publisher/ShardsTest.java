package k8sprom.publisher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class ShardsTest {

    /** A metric's shard is the partition Kafka's own default partitioner picks for its name as key. */
    @Test
    void aMetricsShardIsThePartitionKafkasDefaultPartitionerPicksForItsName() {
        for (int shards : new int[] {1, 3, 6, 7}) {
            for (String metric : SyntheticMetrics.NAMES) {
                assertEquals(
                        BuiltInPartitioner.partitionForKey(metric.getBytes(StandardCharsets.UTF_8), shards),
                        Shards.of(metric, shards),
                        metric + " with " + shards + " shards");
            }
        }
    }

    private static final class SyntheticMetrics {
        static final java.util.List<String> NAMES = k8sprom.testsupport.SyntheticCluster.METRICS;
    }
}
