package k8sprom.contiv;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads optional text fields of Netmaster's documents, where absent, null and "" all mean "not set".
 */
final class Json {

    private Json() {}

    /** The field's text, or null when it is absent, null, empty or not a scalar. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isValueNode() || value.isNull()) {
            return null;
        }
        String text = value.asText();
        return text.isEmpty() ? null : text;
    }

    static String textOr(JsonNode node, String field, String fallback) {
        String text = text(node, field);
        return text == null ? fallback : text;
    }

    /** How many entries a link-set map such as link-sets.Networks holds; absent means none. */
    static int size(JsonNode map) {
        return map.isObject() || map.isArray() ? map.size() : 0;
    }
}
