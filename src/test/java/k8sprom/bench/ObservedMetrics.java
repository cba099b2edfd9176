package k8sprom.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One scrape of the publisher's /observe/metrics (Prometheus text format), with sums over label sets. */
final class ObservedMetrics {

    private record Line(String name, String labels, double value) {}

    private final List<Line> lines;

    private ObservedMetrics(List<Line> lines) {
        this.lines = lines;
    }

    static ObservedMetrics scrape(HttpClient http, int port) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("/observe/metrics answered " + response.statusCode());
        }
        return parse(response.body());
    }

    static ObservedMetrics parse(String text) {
        List<Line> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String name;
            String labels;
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                labels = line.substring(brace, line.lastIndexOf('}') + 1);
            } else {
                name = line.substring(0, space);
                labels = "";
            }
            try {
                lines.add(new Line(name, labels, Double.parseDouble(line.substring(space + 1))));
            } catch (NumberFormatException e) {
                // a timestamped or odd line: not needed here
            }
        }
        return new ObservedMetrics(lines);
    }

    /** The sum of every sample of the metric whose labels contain all the given fragments (e.g. area="heap"). */
    double sum(String name, String... labelFragments) {
        double sum = 0;
        for (Line line : lines) {
            if (line.name.equals(name) && containsAll(line.labels, labelFragments)) {
                sum += line.value;
            }
        }
        return sum;
    }

    private static boolean containsAll(String labels, String[] fragments) {
        for (String fragment : fragments) {
            if (!labels.contains(fragment)) {
                return false;
            }
        }
        return true;
    }
}
