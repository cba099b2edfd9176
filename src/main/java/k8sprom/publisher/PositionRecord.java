package k8sprom.publisher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;

/**
 * The value of a record in the positions topic, keyed by metric name: {"last_step": "<ISO instant>"}.
 */
final class PositionRecord {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PositionRecord() {}

    static String write(Instant lastStep) {
        return JSON.createObjectNode().put("last_step", lastStep.toString()).toString();
    }

    static Instant read(String value) {
        try {
            JsonNode lastStep = JSON.readTree(value).get("last_step");
            if (lastStep == null) {
                throw new IllegalArgumentException("not a position record: " + value);
            }
            return Instant.parse(lastStep.asText());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a position record: " + value, e);
        }
    }
}
