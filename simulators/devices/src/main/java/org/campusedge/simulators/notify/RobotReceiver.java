package org.campusedge.simulators.notify;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stands in for the group robots a school's people read on their phones: a WeCom (企业微信) robot at
 * {@code /cgi-bin/webhook/send?key=KEY} and a DingTalk (钉钉) robot at {@code /robot/send?access_token=T}
 * whose signed requests ("加签": {@code timestamp} and {@code sign} = Base64(HmacSHA256(secret,
 * timestamp + "\n" + secret))) are checked as DingTalk checks them. Answers as they do ({@code errcode}
 * 0, or an error code for a wrong key or signature) and keeps what it accepted, with the time it came.
 * On 127.0.0.1, for the simulated school, tests and the notification benchmark.
 */
public final class RobotReceiver implements AutoCloseable {

    /** A message a robot accepted: which robot, its text, when it arrived. */
    public record Received(String robot, String body, Instant at, long nanos) {
    }

    private final HttpServer server;
    private final String wecomKey;
    private final String dingToken;
    private final String dingSecret;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicLong refused = new AtomicLong();

    public RobotReceiver(String wecomKey, String dingToken, String dingSecret) throws IOException {
        this.wecomKey = wecomKey;
        this.dingToken = dingToken;
        this.dingSecret = dingSecret;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/cgi-bin/webhook/send", ex -> {
            String body = read(ex);
            boolean ok = ("key=" + wecomKey).equals(ex.getRequestURI().getRawQuery());
            accept(ex, ok, "wecom", body, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}");
        });
        server.createContext("/robot/send", ex -> {
            String body = read(ex);
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            boolean ok = dingToken.equals(q.get("access_token")) && q.containsKey("timestamp")
                    && Math.abs(System.currentTimeMillis() - Long.parseLong(q.get("timestamp"))) < 3_600_000
                    && sign(Long.parseLong(q.get("timestamp"))).equals(q.get("sign"));
            accept(ex, ok, "dingtalk", body, "{\"errcode\":310000,\"errmsg\":\"sign not match\"}");
        });
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "robot-receiver");
            t.setDaemon(true);
            return t;
        }));
    }

    public RobotReceiver start() {
        server.start();
        return this;
    }

    public String wecomUrl() {
        return base() + "/cgi-bin/webhook/send?key=" + wecomKey;
    }

    public String dingtalkUrl() {
        return base() + "/robot/send?access_token=" + dingToken;
    }

    public String dingtalkSecret() {
        return dingSecret;
    }

    /** A notifications file for the gateway: the guard's WeCom group at once, the head of security's DingTalk after {@code escalateAfterSeconds}. */
    public String notificationsYaml(int escalateAfterSeconds) {
        return """
                # made by the simulated school: local stand-ins for the school's WeCom and DingTalk groups
                channels:
                  guard-wecom:
                    type: wecom
                    url: "%s"
                  head-dingtalk:
                    type: dingtalk
                    url: "%s"
                    secret: "%s"
                escalation:
                  - afterSeconds: 0
                    channels: [guard-wecom]
                  - afterSeconds: %d
                    channels: [head-dingtalk]
                """.formatted(wecomUrl(), dingtalkUrl(), dingSecret, escalateAfterSeconds);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void accept(HttpExchange ex, boolean ok, String robot, String body, String error) throws IOException {
        if (ok) {
            received.add(new Received(robot, body, Instant.now(), System.nanoTime()));
        } else {
            refused.incrementAndGet();
        }
        byte[] b = (ok ? "{\"errcode\":0,\"errmsg\":\"ok\"}" : error).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public List<Received> received(String robot) {
        return received.stream().filter(r -> r.robot().equals(robot)).toList();
    }

    /**
     * Waits for a message of {@code robot} containing {@code text} that arrived after {@code afterNanos}
     * (System.nanoTime); its arrival time, or -1 after the timeout.
     */
    public long await(String robot, String text, long afterNanos, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + timeoutMillis * 1_000_000;
        while (System.nanoTime() < end) {
            for (Received r : received) {
                if (r.robot().equals(robot) && r.nanos() > afterNanos && r.body().contains(text)) {
                    return r.nanos();
                }
            }
            Thread.sleep(2);
        }
        return -1;
    }

    public long refused() {
        return refused.get();
    }

    private static String read(HttpExchange ex) throws IOException {
        return new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw != null) {
            for (String p : raw.split("&")) {
                String[] kv = p.split("=", 2);
                m.put(kv[0], URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    private String sign(long timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(dingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal((timestamp + "\n" + dingSecret).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
