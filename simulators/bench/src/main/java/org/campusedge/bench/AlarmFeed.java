package org.campusedge.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.campusedge.simulators.gateway.ConsoleClient;
import org.campusedge.simulators.gateway.GatewayProcess;

/**
 * A logged-in console session with its live alarm feed, as the security page has it: the alarm
 * benchmarks wait here for an {@code alarm.raised} of a key and clear it after, so the next probe
 * raises a new one.
 */
final class AlarmFeed {

    private final ConsoleClient client;
    private final Map<String, CompletableFuture<Long>> waiting = new ConcurrentHashMap<>();

    private AlarmFeed(ConsoleClient client) {
        this.client = client;
    }

    static AlarmFeed login(GatewayProcess gw) throws Exception {
        AlarmFeed c = new AlarmFeed(ConsoleClient.admin(gw));
        c.listen();
        return c;
    }

    private void listen() {
        Pattern keyOf = Pattern.compile("\"kind\":\"alarm\\.raised\".*\"alarm\":\"([^\"]+)\"");
        client.stream("/api/stream?topic=alarms", line -> {
            if (line.startsWith("data: ")) {
                Matcher m = keyOf.matcher(line);
                if (m.find()) {
                    CompletableFuture<Long> f = waiting.remove(m.group(1));
                    if (f != null) {
                        f.complete(System.nanoTime());
                    }
                }
            }
        });
    }

    /** Completes with the {@link System#nanoTime()} at which the alarm of this key arrives on the feed. */
    CompletableFuture<Long> expect(String key) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        waiting.put(key, f);
        return f;
    }

    void clear(String key) throws Exception {
        waiting.remove(key);
        client.post("/api/alarms/clear", "key=" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&note=benchmark");
    }
}
