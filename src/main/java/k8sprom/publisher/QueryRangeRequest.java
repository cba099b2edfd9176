package k8sprom.publisher;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Variable;

/**
 * Builds the query_range request of a metric's window: PromQL goes in a form body, URL-encoded here, so that + & "
 * and braces survive and never meet Camel's placeholder or simple-language resolution. Thanos is asked not to answer
 * partially (partial_response=false, which Prometheus, Mimir and VictoriaMetrics ignore); the Authorization header
 * and the extra headers (tenant, gateway) go with it. Header values are never logged.
 */
public class QueryRangeRequest {

    private PrometheusAuth auth = new PrometheusAuth();
    private PrometheusHeaders headers = new PrometheusHeaders();
    private String partialResponseParameter = "false";

    public void prepare(@Variable("query") MetricQuery query, Exchange exchange) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        QueryWindow window = query.window();
        message.setBody("query=" + URLEncoder.encode(query.promql(), StandardCharsets.UTF_8)
                + "&start=" + epochSeconds(window.start())
                + "&end=" + epochSeconds(window.end())
                + "&step=" + window.step().toMillis() / 1000.0
                + (partialResponseParameter.isEmpty() ? "" : "&partial_response=" + partialResponseParameter));
        message.setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded");
        auth.header().ifPresent(value -> message.setHeader("Authorization", value));
        headers.current().forEach(message::setHeader);
    }

    private static String epochSeconds(Instant instant) {
        return BigDecimal.valueOf(instant.toEpochMilli(), 3).toPlainString();
    }

    public void setAuth(PrometheusAuth auth) {
        this.auth = auth;
    }

    public void setHeaders(PrometheusHeaders headers) {
        this.headers = headers;
    }

    /** PROMETHEUS_PARTIAL_RESPONSE: the partial_response parameter to send, false (default) or true; omit sends none. */
    public void setPartialResponse(String partialResponse) {
        String setting = partialResponse == null ? "" : partialResponse.strip();
        partialResponseParameter = switch (setting) {
            case "false", "true" -> setting;
            case "omit", "" -> "";
            default ->
                throw new IllegalArgumentException(
                        "PROMETHEUS_PARTIAL_RESPONSE must be false, true or omit, not " + setting);
        };
    }
}
