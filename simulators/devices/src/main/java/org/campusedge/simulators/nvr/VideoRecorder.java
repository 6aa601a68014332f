package org.campusedge.simulators.nvr;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.campusedge.net.DigestServer;

/**
 * A network video recorder (NVR, 硬盘录像机) with a Hikvision-style ISAPI, as the gateway polls it:
 * {@code GET /ISAPI/ContentMgmt/Storage/hdd} (the disks, XML), {@code GET
 * /ISAPI/System/workingstatus?format=json} (each channel's recording) and {@code POST
 * /ISAPI/ContentMgmt/search} (a track's recordings, oldest first). Behind HTTP Digest (user name
 * the recorder's inventory id) once {@link #credentials} are set. Its faults are switches a test
 * flips: a channel stops recording, a disk fails, the recordings kept are younger than they should
 * be, the recorder goes silent.
 */
public final class VideoRecorder implements AutoCloseable {

    private final Map<Integer, Boolean> recording = new ConcurrentHashMap<>();
    private final Map<Integer, Instant> oldest = new ConcurrentHashMap<>();
    private final Map<String, String> disks = new ConcurrentHashMap<>();
    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong refusedLogins = new AtomicLong();
    private final DigestServer login = DigestServer.forDevices("NVR");
    private volatile String deviceId;
    private volatile String secret;
    private volatile boolean silent;
    private HttpServer server;

    /** A recorder with {@code channels} channels all recording, two sound disks, {@code keptDays} days of recordings on each channel. */
    public VideoRecorder(int channels, int keptDays) {
        Instant since = Instant.now().minus(Duration.ofDays(keptDays)).truncatedTo(ChronoUnit.SECONDS);
        for (int c = 1; c <= channels; c++) {
            recording.put(c, true);
            oldest.put(c, since);
        }
        disks.put("1", "ok");
        disks.put("2", "ok");
    }

    /** Starts the ISAPI on 127.0.0.1 (port 0: a free one) and returns its base URL. */
    public URI start(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "nvr-sim-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/ISAPI/", this::handle);
        server.start();
        return baseUrl();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Sets the recorder up with its inventory id and key, as an installer does; null key: an open ISAPI. */
    public void credentials(String deviceId, String secret) {
        this.deviceId = deviceId;
        this.secret = secret;
    }

    public void recording(int channel, boolean on) {
        recording.put(channel, on);
    }

    /** A disk's state in the recorder's words: {@code ok}, {@code error}, {@code smartFailed}, {@code unformatted}, ... */
    public void disk(String id, String status) {
        disks.put(id, status);
    }

    /** The oldest recording a channel keeps (null: none at all). */
    public void oldest(int channel, Instant at) {
        if (at == null) {
            oldest.remove(channel);
        } else {
            oldest.put(channel, at);
        }
    }

    /** A silent recorder takes connections and answers nothing (a hung one); false: it answers again. */
    public void silent(boolean silent) {
        this.silent = silent;
    }

    /** Status requests answered (disk lists). */
    public long polls() {
        return polls.get();
    }

    /** Requests refused for missing or wrong credentials (not counting the first challenge of each). */
    public long refusedLogins() {
        return refusedLogins.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] request = ex.getRequestBody().readNBytes(64 * 1024);
            if (silent) {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            if (!authenticated(ex)) {
                return;
            }
            String route = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
            switch (route) {
                case "GET /ISAPI/ContentMgmt/Storage/hdd" -> {
                    polls.incrementAndGet();
                    send(ex, 200, "application/xml", hddList());
                }
                case "GET /ISAPI/System/workingstatus" -> send(ex, 200, "application/json", workingStatus());
                case "POST /ISAPI/ContentMgmt/search" -> send(ex, 200, "application/xml", search(new String(request, StandardCharsets.UTF_8)));
                default -> send(ex, 404, "application/xml", "<ResponseStatus><statusCode>4</statusCode><statusString>Invalid Operation"
                        + "</statusString></ResponseStatus>");
            }
        }
    }

    private boolean authenticated(HttpExchange ex) throws IOException {
        String key = secret;
        if (key == null) {
            return true;
        }
        String id = deviceId;
        String target = ex.getRequestURI().getRawPath() + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
        DigestServer.Verdict v = login.verify(ex.getRequestMethod(), target, ex.getRequestHeaders().getFirst("Authorization"),
                user -> user.equals(id) ? key : null);
        if (v instanceof DigestServer.Verdict.Proven) {
            return true;
        }
        if (v instanceof DigestServer.Verdict.Refused) {
            refusedLogins.incrementAndGet();
        }
        login.challenges(v instanceof DigestServer.Verdict.Stale).forEach(c -> ex.getResponseHeaders().add("WWW-Authenticate", c));
        send(ex, 401, "application/xml", "<ResponseStatus><statusCode>4</statusCode><statusString>Unauthorized</statusString></ResponseStatus>");
        return false;
    }

    private String hddList() {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hddList version=\"2.0\""
                + " xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">");
        new TreeMap<>(disks).forEach((id, status) -> b.append("<hdd version=\"2.0\"><id>").append(id).append("</id><hddName>hdd").append(id)
                .append("</hddName><hddPath></hddPath><hddType>SATA</hddType><status>").append(status)
                .append("</status><capacity>3815447</capacity><freeSpace>0</freeSpace><property>RW</property></hdd>"));
        return b.append("</hddList>").toString();
    }

    private String workingStatus() {
        StringBuilder b = new StringBuilder("{\"WorkingStatus\":{\"devStatus\":0,\"ChanStatus\":[");
        String sep = "";
        for (Map.Entry<Integer, Boolean> c : new TreeMap<>(recording).entrySet()) {
            b.append(sep).append("{\"chanNo\":").append(c.getKey()).append(",\"enable\":1,\"online\":1,\"record\":")
                    .append(c.getValue() ? 1 : 0).append(",\"signal\":0,\"linkNum\":1,\"bitRate\":4096}");
            sep = ",";
        }
        b.append("],\"HDStatus\":[");
        sep = "";
        for (Map.Entry<String, String> d : new TreeMap<>(disks).entrySet()) {
            b.append(sep).append("{\"hdNo\":").append(d.getKey()).append(",\"status\":").append(d.getValue().equals("ok") ? 0 : 2)
                    .append(",\"volume\":3815447,\"freeSpace\":0}");
            sep = ",";
        }
        return b.append("]}}").toString();
    }

    /** One match at most: the oldest recording of the track asked for (trackID = channel x 100 + 1). */
    private String search(String request) {
        int at = request.indexOf("<trackID>");
        int end = request.indexOf("</trackID>");
        int channel = at < 0 || end < at ? -1 : Integer.parseInt(request.substring(at + 9, end).trim()) / 100;
        Instant first = oldest.get(channel);
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CMSearchResult version=\"2.0\""
                + " xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"><responseStatus>true</responseStatus>");
        if (first == null) {
            return b.append("<responseStatusStrg>NO MATCHES</responseStatusStrg><numOfMatches>0</numOfMatches></CMSearchResult>").toString();
        }
        return b.append("<responseStatusStrg>MORE</responseStatusStrg><numOfMatches>1</numOfMatches><matchList><searchMatchItem>")
                .append("<sourceID>{0000000000-0000-0000-0000-000000000000}</sourceID><trackID>").append(channel * 100 + 1)
                .append("</trackID><timeSpan><startTime>").append(first).append("</startTime><endTime>").append(first.plusSeconds(3600))
                .append("</endTime></timeSpan></searchMatchItem></matchList></CMSearchResult>").toString();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
