package k8sprom.publisher;

/**
 * A finished message and its Kafka record key (the container id, so one container's messages stay in order
 * on one partition).
 */
public record OutboundMessage(String containerId, String json) {}
