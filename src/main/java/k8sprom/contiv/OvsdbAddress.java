package k8sprom.contiv;

import java.nio.file.Path;

/**
 * Where the OVSDB server listens, written as OVS writes it: "tcp:host:port", "ssl:host:port" (IPv6 as
 * tcp:[::1]:6640), "unix:/path/db.sock", or just the socket's path.
 */
record OvsdbAddress(String host, int port, Path socket, boolean ssl) {

    OvsdbAddress(String host, int port, Path socket) {
        this(host, port, socket, false);
    }

    static OvsdbAddress parse(String text) {
        String value = text == null ? "" : text.strip();
        boolean ssl = value.startsWith("ssl:");
        if (value.startsWith("tcp:") || ssl) {
            String hostPort = value.substring(4);
            int colon = hostPort.lastIndexOf(':');
            if (colon > 0) {
                String host = hostPort.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
                try {
                    int port = Integer.parseInt(hostPort.substring(colon + 1));
                    if (port > 0 && port < 65536 && !host.isEmpty()) {
                        return new OvsdbAddress(host, port, null, ssl);
                    }
                } catch (NumberFormatException e) {
                    // reported below with the whole value
                }
            }
        } else if (value.startsWith("unix:") && value.length() > 5) {
            return new OvsdbAddress(null, 0, Path.of(value.substring(5)));
        } else if (value.startsWith("/")) {
            return new OvsdbAddress(null, 0, Path.of(value));
        }
        throw new IllegalArgumentException("CONTIV_OVSDB must be tcp:host:port, ssl:host:port, unix:/path or a socket"
                + " path; got '" + text + "'");
    }

    boolean isUnixSocket() {
        return socket != null;
    }

    @Override
    public String toString() {
        if (isUnixSocket()) {
            return "unix:" + socket;
        }
        return (ssl ? "ssl:" : "tcp:") + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
