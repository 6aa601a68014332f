package org.campusedge.simulators.camera;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.campusedge.net.DigestServer;

/**
 * A camera's picture endpoint, as an ISAPI camera serves it ({@code GET
 * /ISAPI/Streaming/channels/101/picture}, a JPEG... here a PNG drawn on the spot with the camera's id
 * and the time), behind HTTP Digest with the camera's key: what the console fetches for a guard's
 * timeline. Counts the pictures served and the requests refused. {@code /ISAPI/System/configurationData}
 * answers too (a secret the console must never fetch for anyone).
 */
public final class SnapshotServer implements AutoCloseable {

    public static final String PICTURE = "/ISAPI/Streaming/channels/101/picture";
    public static final String CONFIGURATION = "/ISAPI/System/configurationData";

    private final HttpServer server;
    private final DigestServer login = DigestServer.forDevices("camera");
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong asked = new AtomicLong();
    private final AtomicLong configurationAsked = new AtomicLong();

    /** @param keyOf the camera's key by its id (the Digest user name), null when unknown */
    public SnapshotServer(String cameraId, Function<String, String> keyOf) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", ex -> {
            try (ex) {
                asked.incrementAndGet();
                String target = ex.getRequestURI().getRawPath();
                if (target.equals(CONFIGURATION)) {
                    configurationAsked.incrementAndGet();
                }
                DigestServer.Verdict v = login.verify(ex.getRequestMethod(), target, ex.getRequestHeaders().getFirst("Authorization"),
                        user -> user.equals(cameraId) ? keyOf.apply(cameraId) : null);
                if (!(v instanceof DigestServer.Verdict.Proven)) {
                    if (v instanceof DigestServer.Verdict.Refused) {
                        refused.incrementAndGet();
                    }
                    login.challenges(v instanceof DigestServer.Verdict.Stale).forEach(c -> ex.getResponseHeaders().add("WWW-Authenticate", c));
                    send(ex, 401, "text/plain", "authentication required".getBytes(StandardCharsets.UTF_8));
                } else if (target.equals(PICTURE)) {
                    served.incrementAndGet();
                    send(ex, 200, "image/png", picture(cameraId));
                } else if (target.equals(CONFIGURATION)) {
                    send(ex, 200, "application/xml", "<config><adminPassword>camera-secret</adminPassword></config>".getBytes(StandardCharsets.UTF_8));
                } else {
                    send(ex, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
                }
            }
        });
        server.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public long served() {
        return served.get();
    }

    public long refused() {
        return refused.get();
    }

    /** Requests for the camera's configuration, answered or not: the console must never make one. */
    public long configurationAsked() {
        return configurationAsked.get();
    }

    /** Every request that reached the camera, answered or not. */
    public long asked() {
        return asked.get();
    }

    private static byte[] picture(String cameraId) throws IOException {
        BufferedImage img = new BufferedImage(320, 180, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(0x1d2b36));
        g.fillRect(0, 0, 320, 180);
        g.setColor(new Color(0x5b7083));
        g.fillRect(0, 120, 320, 60); // the ground along the fence
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(cameraId, 12, 28);
        g.drawString(LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), 12, 52);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
