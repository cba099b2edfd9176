package k8sprom.publisher;

import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;

/**
 * A finished message and its Kafka record key (the container id, so one container's messages stay in order
 * on one partition).
 */
public record OutboundMessage(String containerId, String json) {

    /** camel-kafka sends a List of Messages as one record each, keyed by each message's kafka.KEY header. */
    public static List<Message> toKafkaBatch(CamelContext context, List<OutboundMessage> messages) {
        List<Message> batch = new ArrayList<>(messages.size());
        for (OutboundMessage message : messages) {
            Message record = new DefaultMessage(context);
            record.setHeader(KafkaConstants.KEY, message.containerId());
            record.setBody(message.json());
            batch.add(record);
        }
        return batch;
    }
}
