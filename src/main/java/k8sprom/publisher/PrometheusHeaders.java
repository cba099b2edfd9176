package k8sprom.publisher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Extra request headers for Prometheus-compatible backends: the tenant of Mimir and Cortex ({@code X-Scope-OrgID}),
 * and whatever a gateway wants, given as values or as files re-read at every query (rotated secrets). Values are
 * never logged; errors name the setting and the header, not the value.
 */
public class PrometheusHeaders {

    static final String TENANT_HEADER = "X-Scope-OrgID";
    /** RFC 9110's token: the characters a header name may have. */
    private static final Pattern NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Set by the publisher itself, or by the authentication settings. */
    private static final Set<String> RESERVED =
            Set.of("authorization", "content-type", "content-length", "host", "transfer-encoding", "connection");

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, Path> files = new LinkedHashMap<>();

    /** The headers to send with the next query; file-based values are read now. */
    public Map<String, String> current() {
        Map<String, String> headers = new LinkedHashMap<>(values);
        files.forEach((name, file) -> {
            try {
                headers.put(name, checkedValue(Files.readString(file).strip(), "PROMETHEUS_HEADER_FILES", name));
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot read the file of the Prometheus header " + name + ": " + file, e);
            }
        });
        return headers;
    }

    /** PROMETHEUS_TENANT: the tenant of Mimir or Cortex, sent as X-Scope-OrgID. */
    public void setTenant(String tenant) {
        if (tenant != null && !tenant.isBlank()) {
            add(
                    values,
                    "PROMETHEUS_TENANT",
                    TENANT_HEADER,
                    checkedValue(tenant.strip(), "PROMETHEUS_TENANT", TENANT_HEADER));
        }
    }

    /** PROMETHEUS_HEADERS: {@code Name=value,Name2=value2}, values percent-encoded where they hold , = or %. */
    public void setHeaders(String headers) {
        pairs(headers, "PROMETHEUS_HEADERS")
                .forEach((name, value) ->
                        add(values, "PROMETHEUS_HEADERS", name, checkedValue(value, "PROMETHEUS_HEADERS", name)));
    }

    /** PROMETHEUS_HEADER_FILES: {@code Name=/path/to/file,...}; each file holds the header's value. */
    public void setHeaderFiles(String headerFiles) {
        pairs(headerFiles, "PROMETHEUS_HEADER_FILES").forEach((name, file) -> {
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                throw new IllegalArgumentException(
                        "PROMETHEUS_HEADER_FILES: the file of header " + name + " cannot be read: " + file);
            }
            add(files, "PROMETHEUS_HEADER_FILES", name, path);
        });
    }

    private <T> void add(Map<String, T> into, String setting, String name, T value) {
        boolean known = values.keySet().stream().anyMatch(name::equalsIgnoreCase)
                || files.keySet().stream().anyMatch(name::equalsIgnoreCase);
        if (known) {
            throw new IllegalArgumentException(setting + ": header " + name + " is given twice (PROMETHEUS_TENANT, "
                    + "PROMETHEUS_HEADERS and PROMETHEUS_HEADER_FILES together may name a header once)");
        }
        into.put(name, value);
    }

    private static Map<String, String> pairs(String text, String setting) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return pairs;
        }
        for (String pair : text.split(",")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair.strip() : pair.substring(0, equals).strip();
            if (equals < 0) {
                throw new IllegalArgumentException(setting + ": expected Name=value pairs separated by commas, but "
                        + "the entry for " + (NAME.matcher(name).matches() ? name : "a header") + " has no '='");
            }
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(setting + ": '" + name + "' is not a valid header name");
            }
            if (RESERVED.contains(name.toLowerCase())) {
                throw new IllegalArgumentException(setting + ": header " + name + " is set by the publisher itself"
                        + (name.equalsIgnoreCase("authorization")
                                ? " (use PROMETHEUS_BEARER_TOKEN[_FILE] or PROMETHEUS_USERNAME/PASSWORD)"
                                : ""));
            }
            String value;
            try {
                // percent-decoding only: a + stays a + (tokens are often base64)
                value = URLDecoder.decode(
                        pair.substring(equals + 1).strip().replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        setting + ": the value of header " + name + " has a malformed percent-encoding");
            }
            pairs.put(name, value);
        }
        return pairs;
    }

    /** A value that would split the request (CR, LF) or is empty is refused, without echoing it. */
    private static String checkedValue(String value, String setting, String name) {
        if (value.isEmpty() || value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw new IllegalArgumentException(
                    setting + ": the value of header " + name + " is empty or holds a line break");
        }
        return value;
    }

    @Override
    public String toString() {
        return "PrometheusHeaders" + values.keySet() + "+files" + files.keySet();
    }
}
