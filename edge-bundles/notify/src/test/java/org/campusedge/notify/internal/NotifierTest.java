package org.campusedge.notify.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Location;
import org.campusedge.api.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications through a real SQLite queue and real HTTP to local robots that answer as WeCom's and
 * DingTalk's do (DingTalk's signature is checked here as its documentation describes it), a flaky
 * one and one that never answers.
 */
class NotifierTest {

    private static final String DING_SECRET = "SECtest0123456789abcdef";

    @TempDir
    Path dir;
    private HttpServer robots;
    private DeliveryQueue queue;
    private final List<String> wecom = new CopyOnWriteArrayList<>();
    private final List<String> dingtalk = new CopyOnWriteArrayList<>();
    private final List<String> head = new CopyOnWriteArrayList<>();
    private final List<String> flaky = new CopyOnWriteArrayList<>();
    private final AtomicInteger flakyFailures = new AtomicInteger(2);
    private final AtomicInteger hung = new AtomicInteger();
    private final List<CampusEvent> records = new CopyOnWriteArrayList<>();
    private volatile Instant now = Instant.parse("2026-12-02T14:00:00Z");
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    };
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        robots = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        robots.createContext("/cgi-bin/webhook/send", ex -> {
            boolean rightKey = "key=guard-key".equals(ex.getRequestURI().getRawQuery());
            String body = read(ex);
            if (rightKey) {
                wecom.add(body);
            }
            answer(ex, 200, rightKey ? "{\"errcode\":0,\"errmsg\":\"ok\"}" : "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}");
        });
        robots.createContext("/robot/send", ex -> {
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            String body = read(ex);
            String expected = sign(Long.parseLong(q.getOrDefault("timestamp", "0")));
            boolean ok = expected.equals(q.get("sign"));
            if (ok) {
                (q.get("access_token").equals("head") ? head : dingtalk).add(body);
            }
            answer(ex, 200, ok ? "{\"errcode\":0,\"errmsg\":\"ok\"}" : "{\"errcode\":310000,\"errmsg\":\"sign not match\"}");
        });
        robots.createContext("/flaky", ex -> {
            String body = read(ex);
            if (flakyFailures.getAndDecrement() > 0) {
                answer(ex, 500, "busy");
            } else {
                flaky.add(body);
                answer(ex, 204, "");
            }
        });
        robots.createContext("/hang", ex -> {
            hung.incrementAndGet(); // never answers: the gateway's timeout must end it
        });
        robots.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        robots.start();
        queue = new DeliveryQueue(dir.resolve("notifications.db"));
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        robots.stop(0);
        queue.close();
    }

    private String base() {
        return "http://127.0.0.1:" + robots.getAddress().getPort();
    }

    private static String read(HttpExchange ex) throws java.io.IOException {
        return new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void answer(HttpExchange ex, int status, String body) throws java.io.IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
        ex.close();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        for (String p : raw.split("&")) {
            String[] kv = p.split("=", 2);
            m.put(kv[0], URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
        }
        return m;
    }

    /** DingTalk's documented check: Base64(HmacSHA256(secret, timestamp + "\n" + secret)). */
    private static String sign(long timestamp) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(DING_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal((timestamp + "\n" + DING_SECRET).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Plan plan(String wecomKey) {
        Map<String, Object> channels = new java.util.LinkedHashMap<>();
        channels.put("guard-wecom", Map.of("type", "wecom", "url", base() + "/cgi-bin/webhook/send?key=" + wecomKey));
        channels.put("security-dingtalk", Map.of("type", "dingtalk", "url", base() + "/robot/send?access_token=sec", "secret", DING_SECRET));
        channels.put("head-dingtalk", Map.of("type", "dingtalk", "url", base() + "/robot/send?access_token=head", "secret", DING_SECRET));
        channels.put("bureau-hook", Map.of("type", "webhook", "url", base() + "/flaky"));
        channels.put("dead-relay", Map.of("type", "webhook", "url", base() + "/hang"));
        return Plan.of(Map.of("channels", channels, "escalation", List.of(
                Map.of("afterSeconds", 0, "channels", List.of("guard-wecom", "security-dingtalk")),
                Map.of("afterSeconds", 300, "channels", List.of("head-dingtalk")))));
    }

    private Notifier notifier(Plan plan) {
        return new Notifier(queue, () -> plan, http, clock, records::add, () -> null, "sch-t", ZoneId.of("Asia/Shanghai"));
    }

    private CampusEvent transition(String kind, String alarm, Map<String, String> extra) {
        Map<String, String> a = new HashMap<>(Map.of("alarm", alarm, "rule", "perimeter-intrusion-night", "alarmSeverity", "CRITICAL",
                "message", "夜间周界入侵 card 20261234567 at the gate"));
        a.putAll(extra);
        return CampusEvent.builder().schoolId("sch-t").deviceId("cam-fence-north-1").profileId("camera-isapi")
                .location(new Location("北围墙", null, null, "perimeter")).kind(kind).severity(Severity.CRITICAL).occurredAt(now)
                .receivedAt(now).attributes(a).build();
    }

    private void until(BooleanSupplier held, Notifier n, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!held.getAsBoolean() && System.nanoTime() < end) {
            n.dispatch();
            Thread.sleep(50);
        }
        assertTrue(held.getAsBoolean(), what);
    }

    private List<String> recordKinds() {
        return records.stream().map(e -> e.kind() + ":" + e.attributes().get("channel")).toList();
    }

    @Test
    void aRaisedAlarmReachesTheRobotsOnceInTheirFormatsWithoutAStudentsNumber() throws Exception {
        Notifier n = notifier(plan("guard-key"));
        CampusEvent raised = transition("alarm.raised", "perimeter-intrusion-night:cam-fence-north-1", Map.of());
        n.onEvent(raised);
        n.onEvent(raised); // heard twice (a replay after a restart): queued once
        until(() -> wecom.size() == 1 && dingtalk.size() == 1, n, "the robots were not told: " + wecom + dingtalk);
        Thread.sleep(300);
        n.dispatch();
        Thread.sleep(300);
        assertEquals(1, wecom.size(), "told twice");
        String body = wecom.get(0);
        assertTrue(body.startsWith("{\"msgtype\":\"text\",\"text\":{\"content\":\"【紧急报警】夜间周界入侵"), body);
        assertTrue(body.contains("北围墙 / perimeter") && body.contains("2026-12-02 22:00:00"), body); // the school's time
        assertFalse(body.contains("20261234567"), "a card number went out: " + body);
        assertEquals(wecom.get(0), dingtalk.get(0), "the same text to both robots");
        assertTrue(head.isEmpty(), "an escalation went out at once");
        assertTrue(recordKinds().containsAll(List.of("audit.notification-sent:guard-wecom", "audit.notification-sent:security-dingtalk")),
                recordKinds().toString());
        assertEquals(raised.attributes().get("alarm"), records.get(0).attributes().get("alarm"));
    }

    /** The calendar's rosters, as the rules bundle serves them: the day guard until a minute from now, then the night guard. */
    private final org.campusedge.api.DutyRosters rosters = new org.campusedge.api.DutyRosters() {
        private final Instant shiftChange = now.plusSeconds(60);

        @Override
        public List<OnDuty> onDuty(String roster, Instant at) {
            return switch (roster) {
                case "guard" -> at.isBefore(shiftChange) ? List.of(new OnDuty("guard", "day guard Wang", List.of("guard-wecom")))
                        : List.of(new OnDuty("guard", "night guard Li", List.of("security-dingtalk")));
                case "principal" -> List.of(new OnDuty("principal", "principal Chen", List.of("principal-phone")));
                default -> List.of(); // "office": nobody at night
            };
        }

        @Override
        public Set<String> rosters() {
            return Set.of("guard", "office", "principal");
        }
    };

    @Test
    void aDutyLevelGoesToWhoeverIsOnDutyWhenItIsDueAndNobodyOnDutyIsOnTheRecord() throws Exception {
        Map<String, Object> channels = new java.util.LinkedHashMap<>();
        channels.put("guard-wecom", Map.of("type", "wecom", "url", base() + "/cgi-bin/webhook/send?key=guard-key"));
        channels.put("security-dingtalk", Map.of("type", "dingtalk", "url", base() + "/robot/send?access_token=sec", "secret", DING_SECRET));
        channels.put("head-dingtalk", Map.of("type", "dingtalk", "url", base() + "/robot/send?access_token=head", "secret", DING_SECRET));
        Plan plan = Plan.of(Map.of("channels", channels, "escalation", List.of(
                Map.of("afterSeconds", 0, "duty", "guard"),
                Map.of("afterSeconds", 300, "duty", "guard", "channels", List.of("head-dingtalk")),
                Map.of("afterSeconds", 300, "duty", "office"),
                Map.of("afterSeconds", 600, "duty", "principal"),
                Map.of("afterSeconds", 600, "duty", "canteen"))));
        Notifier n = new Notifier(queue, () -> plan, http, clock, records::add, () -> null, () -> rosters, "sch-t", ZoneId.of("Asia/Shanghai"));
        CampusEvent raised = transition("alarm.raised", "night:cam-1", Map.of());
        n.onEvent(raised);
        n.onEvent(raised); // heard again (the replay after a restart): nothing twice, the failures recorded once
        until(() -> wecom.size() == 1, n, "the day guard on duty was not told");
        n.dispatch();
        Thread.sleep(300);
        assertTrue(dingtalk.isEmpty() && head.isEmpty(), "told someone not on duty at the raise: " + dingtalk + head);
        now = now.plusSeconds(300); // the night guard took over meanwhile: the 5-minute level reaches him, and the head of security
        until(() -> dingtalk.size() == 1 && head.size() == 1, n, "the 5-minute level did not reach the night guard and the head");
        assertEquals(1, wecom.size(), "the day guard, off duty by then, was told again");
        List<String> failed = records.stream().filter(e -> e.kind().equals("audit.notification-failed"))
                .map(e -> e.attributes().get("channel") + ": " + e.attributes().get("error")).toList();
        assertEquals(3, failed.size(), failed.toString());
        assertTrue(failed.get(0).startsWith("duty:office: nobody is on the 'office' duty roster at 2026-12-02T22:05"), failed.get(0));
        assertTrue(failed.get(1).startsWith("principal-phone: the 'principal' duty roster names channel principal-phone for principal Chen,"
                + " and notifications.yaml has no such channel"), failed.get(1));
        assertEquals("duty:canteen: the school calendar has no duty roster 'canteen'", failed.get(2));
        assertTrue(records.stream().noneMatch(e -> e.kind().equals("audit.notification-sent") && e.attributes().get("channel").equals("guard-wecom")
                && !e.attributes().get("level").equals("0")), "the off-duty guard's channel on a later level");
        // acknowledged: told to those who were told (the night guard, the head), not to the deliveries that could not be made
        n.onEvent(transition("alarm.acknowledged", "night:cam-1", Map.of("by", "guard-li")));
        until(() -> dingtalk.size() == 2 && head.size() == 2 && wecom.size() == 2, n, "the acknowledgement was not told to all told");
        Thread.sleep(300);
        n.dispatch();
        Thread.sleep(300);
        assertEquals(3, records.stream().filter(e -> e.kind().equals("audit.notification-failed")).count(),
                "an acknowledgement went to a delivery that could not be made: " + recordKinds());
    }

    @Test
    void escalationGoesOutOnlyWhileTheAlarmIsUnacknowledgedAndTheAcknowledgementIsTold() throws Exception {
        Notifier n = notifier(plan("guard-key"));
        n.onEvent(transition("alarm.raised", "night:cam-1", Map.of()));
        n.onEvent(transition("alarm.raised", "night:cam-2", Map.of()));
        until(() -> wecom.size() == 2, n, "the guard was not told of both");
        now = now.plusSeconds(120);
        n.onEvent(transition("alarm.acknowledged", "night:cam-1", Map.of("by", "guard-wang", "note", "on my way")));
        until(() -> wecom.size() == 3 && dingtalk.size() == 3, n, "the acknowledgement was not told to the guard's groups");
        assertTrue(wecom.get(2).contains("【报警已确认】") && wecom.get(2).contains("guard-wang"), wecom.get(2));
        n.dispatch();
        Thread.sleep(300);
        assertTrue(head.isEmpty(), "escalated before its time");
        now = now.plusSeconds(181); // 5 min after the raise
        until(() -> head.size() == 1, n, "the head of security was not told of the unacknowledged alarm");
        Thread.sleep(300);
        n.dispatch();
        Thread.sleep(300);
        assertEquals(1, head.size(), "the acknowledged alarm escalated too: " + head);
        assertTrue(head.get(0).contains("【报警升级·5 分钟未确认】") && head.get(0).contains("night:cam-2"), head.get(0));
        assertEquals(Set.of("sent", "cancelled"), Set.copyOf(queue.ofAlarm("night:cam-1").stream().map(DeliveryQueue.Delivery::state).toList()));
    }

    @Test
    void aFailingOrHangingChannelIsRetriedWithoutHoldingUpTheOthers() throws Exception {
        Map<String, Object> channels = Map.of("guard-wecom", Map.of("type", "wecom", "url", base() + "/cgi-bin/webhook/send?key=wrong-key"),
                "bureau-hook", Map.of("type", "webhook", "url", base() + "/flaky"),
                "dead-relay", Map.of("type", "webhook", "url", base() + "/hang"),
                "security-dingtalk", Map.of("type", "dingtalk", "url", base() + "/robot/send?access_token=sec", "secret", DING_SECRET));
        Notifier n = notifier(Plan.of(Map.of("channels", channels, "escalation", List.of(
                Map.of("afterSeconds", 0, "channels", List.of("dead-relay", "guard-wecom", "bureau-hook", "security-dingtalk"))))));
        n.onEvent(transition("alarm.raised", "night:cam-1", Map.of()));
        long t0 = System.nanoTime();
        until(() -> dingtalk.size() == 1, n, "a hanging and a failing channel held up the others");
        System.out.printf("delivered beside a hanging relay in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        until(() -> recordKinds().contains("audit.notification-failing:guard-wecom")
                && recordKinds().contains("audit.notification-failing:bureau-hook"), n, "failures not recorded: " + recordKinds());
        // retried with back-off (2 s, then 4 s): the clock runs a second per round
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (flaky.isEmpty() && System.nanoTime() < end) {
            now = now.plusSeconds(1);
            n.dispatch();
            Thread.sleep(100);
        }
        assertEquals(1, flaky.size(), "the flaky webhook was not retried to success");
        DeliveryQueue.Delivery wrongKey = queue.ofAlarm("night:cam-1").stream().filter(d -> d.channel().equals("guard-wecom")).findFirst().orElseThrow();
        assertEquals("pending", wrongKey.state());
        assertTrue(wrongKey.lastError().contains("93000"), wrongKey.lastError());
        // an hour of a wrong key: given up, and on the record
        now = now.plus(Duration.ofMinutes(61));
        until(() -> recordKinds().contains("audit.notification-failed:guard-wecom"), n, "never given up: " + recordKinds());
        assertTrue(hung.get() >= 1);
        assertTrue(wecom.isEmpty());
    }

    @Test
    void aChannelUrlMustBeHttpsExceptOnLoopback() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Channel("x", Channel.Type.WECOM, URI.create("http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"), null));
        assertTrue(e.getMessage().contains("https"));
        assertFalse(new Channel("x", Channel.Type.WECOM, URI.create("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"), null)
                .toString().contains("key=k"), "the key in a log line");
        // a host name Java cannot use (an underscore): refused when read, without the URL (and its key) in the reason
        IllegalArgumentException odd = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Plan.of(Map.of("channels", Map.of("relay", Map.of("type", "webhook", "url", "https://relay_1.lan/hook?key=SECRETKEY")))));
        assertFalse(odd.getMessage().contains("SECRETKEY"), odd.getMessage());
    }
}
