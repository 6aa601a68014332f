package org.campusedge.simulators.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP/1.1 POST on a socket of its own, from a chosen local address, as a camera or a controller
 * posts: one request per connection ({@code Connection: close}). The JDK's HttpClient cannot bind a
 * local address before Java 19, and the gateway's per-source limits make the source matter.
 */
public final class HttpWire {

    /**
     * The status, headers (names in lower case; the last value of a repeated one) and body of an
     * answer, with every WWW-Authenticate value (a server offers one challenge per algorithm).
     */
    public record Answer(int status, java.util.Map<String, String> headers, String body, java.util.List<String> challenges) {
    }

    private HttpWire() {
    }

    /**
     * Posts {@code body} to {@code url} from {@code local} (null: any address).
     *
     * @param chunked send the body without a length, in chunks
     * @throws IOException when the connection fails or the answer is not HTTP
     */
    public static Answer post(InetAddress local, URI url, String contentType, byte[] body, boolean chunked, Duration timeout)
            throws IOException {
        return post(local, url, contentType, body, chunked, timeout, null);
    }

    /** As {@link #post(InetAddress, URI, String, byte[], boolean, Duration)}, with an Authorization header (null: none). */
    public static Answer post(InetAddress local, URI url, String contentType, byte[] body, boolean chunked, Duration timeout,
                              String authorization) throws IOException {
        try (Socket s = new Socket()) {
            if (local != null) {
                s.bind(new InetSocketAddress(local, 0));
            }
            s.connect(new InetSocketAddress(url.getHost(), url.getPort()), (int) Math.min(timeout.toMillis(), 5_000));
            s.setSoTimeout((int) timeout.toMillis());
            OutputStream out = s.getOutputStream();
            String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort() + "\r\nConnection: close\r\n"
                    + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n") + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            try {
                if (chunked) {
                    for (int off = 0; off < body.length; off += 8192) {
                        int n = Math.min(8192, body.length - off);
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(body, off, n);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.write(body);
                }
                out.flush();
            } catch (IOException e) {
                // the server may answer (413) and close before the body is all sent: read what it said
            }
            return read(s.getInputStream());
        }
    }

    /**
     * Posts as a device with credentials does: with Digest credentials when it holds a challenge from
     * an earlier answer, and once more when the answer is a 401 it can meet (its first post, or a
     * stale nonce). {@code login} null: no credentials.
     */
    public static Answer post(InetAddress local, URI url, String contentType, byte[] body, Duration timeout,
                              org.campusedge.net.DigestClient login) throws IOException {
        String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        Answer a = post(local, url, contentType, body, false, timeout, login == null ? null : login.authorization("POST", path));
        if (a.status() == 401 && login != null && login.challenged(a.challenges())) {
            a = post(local, url, contentType, body, false, timeout, login.authorization("POST", path));
        }
        return a;
    }

    private static Answer read(InputStream in) throws IOException {
        String status = line(in);
        String[] f = status.split(" ", 3);
        if (f.length < 2 || !f[0].startsWith("HTTP/")) {
            throw new IOException(status.isEmpty() ? "closed without an answer" : "not an HTTP answer: " + status);
        }
        int length = -1;
        boolean chunked = false;
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        java.util.List<String> challenges = new java.util.ArrayList<>();
        String h;
        while (!(h = line(in)).isEmpty()) {
            String lower = h.toLowerCase();
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.put(lower.substring(0, colon).trim(), h.substring(colon + 1).trim());
                if (lower.startsWith("www-authenticate:")) {
                    challenges.add(h.substring(colon + 1).trim());
                }
            }
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            int n;
            while ((n = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0) {
                body.write(in.readNBytes(n));
                line(in);
            }
        } else if (length >= 0) {
            body.write(in.readNBytes(length));
        } else {
            body.write(in.readAllBytes());
        }
        return new Answer(Integer.parseInt(f[1]), headers, body.toString(StandardCharsets.UTF_8), challenges);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
            if (sb.length() > 8192) {
                throw new IOException("header line too long");
            }
        }
        return sb.toString();
    }
}
