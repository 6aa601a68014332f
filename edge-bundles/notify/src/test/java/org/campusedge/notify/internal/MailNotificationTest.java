package org.campusedge.notify.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Location;
import org.campusedge.api.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * E-mail notifications against GreenMail, a real SMTP server in this JVM: the alarm arrives as a
 * UTF-8 mail whose subject says what and how severe, with the server's login; a wrong password is
 * refused by the server and retried, never reported delivered; a mail server that accepts the
 * connection and never speaks holds up no other channel and is failed after the timeout.
 */
class MailNotificationTest {

    @TempDir
    Path dir;
    private GreenMail smtp;
    private DeliveryQueue queue;
    private final List<CampusEvent> records = new CopyOnWriteArrayList<>();
    private final Clock clock = Clock.systemUTC();
    private ServerSocket silent;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort()).withConfiguration(GreenMailConfiguration.aConfig()
                .withUser("gw@school.edu.cn", "gw-sch", "mail-password-1"));
        smtp.start();
        queue = new DeliveryQueue(dir.resolve("notifications.db"));
        silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    held.add(silent.accept()); // accepted, never greeted: the client's read deadline must end it
                }
            } catch (java.io.IOException closed) {
                // stopped
            }
        }, "silent-smtp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws Exception {
        smtp.stop();
        queue.close();
        silent.close();
        for (Socket s : held) {
            s.close();
        }
    }

    private String mailUrl(int port) {
        return "smtp://gw-sch@127.0.0.1:" + port + "/?from=gw%40school.edu.cn&to=head%40school.edu.cn,principal%40school.edu.cn";
    }

    private Notifier notifier(Map<String, Object> channels) {
        Plan plan = Plan.of(Map.of("channels", channels, "escalation", List.of(Map.of("afterSeconds", 0,
                "channels", List.copyOf(channels.keySet())))));
        return new Notifier(queue, () -> plan, HttpClient.newHttpClient(), clock, records::add, () -> null, "sch-t",
                ZoneId.of("Asia/Shanghai"));
    }

    private static CampusEvent raised(String alarm) {
        Map<String, String> a = new HashMap<>(Map.of("alarm", alarm, "rule", "perimeter-intrusion-night", "alarmSeverity", "CRITICAL",
                "message", "夜间周界入侵 card 20261234567"));
        return CampusEvent.builder().schoolId("sch-t").deviceId("cam-fence-north-1").profileId("camera-isapi")
                .location(new Location("北围墙", null, null, "perimeter")).kind("alarm.raised").severity(Severity.CRITICAL)
                .attributes(a).build();
    }

    private static void until(BooleanSupplier cond, Notifier n, int seconds, String what) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!cond.getAsBoolean() && System.nanoTime() < end) {
            n.dispatch();
            Thread.sleep(50);
        }
        assertTrue(cond.getAsBoolean(), what);
    }

    private List<String> kinds(String channel) {
        return records.stream().filter(e -> channel.equals(e.attributes().get("channel"))).map(CampusEvent::kind).toList();
    }

    @Test
    void anAlarmArrivesAsAUtf8MailWithTheServersLogin() throws Exception {
        Map<String, Object> channels = new LinkedHashMap<>();
        channels.put("head-mail", Map.of("type", "email", "url", mailUrl(smtp.getSmtp().getPort()), "secret", "mail-password-1"));
        Notifier n = notifier(channels);
        n.onEvent(raised("perimeter-intrusion-night:cam-fence-north-1"));
        until(() -> smtp.getReceivedMessages().length == 2, n, 15, "no mail arrived: " + records);
        MimeMessage m = smtp.getReceivedMessages()[0];
        assertTrue(m.getSubject().startsWith("【紧急报警】夜间周界入侵"), m.getSubject());
        String body = GreenMailUtil.getBody(m);
        assertEquals("gw@school.edu.cn", m.getFrom()[0].toString());
        assertEquals(2, m.getAllRecipients().length);
        String text = (String) m.getContent();
        assertTrue(text.contains("perimeter-intrusion-night:cam-fence-north-1") && text.contains("北围墙"), text);
        assertFalse(text.contains("20261234567") || body.contains("20261234567"), "a card number went out: " + text);
        until(() -> kinds("head-mail").contains("audit.notification-sent"), n, 5, "not on the alarm's record: " + records);
    }

    @Test
    void aWrongPasswordIsRefusedByTheServerAndNeverCountedDelivered() throws Exception {
        Map<String, Object> channels = new LinkedHashMap<>();
        channels.put("head-mail", Map.of("type", "email", "url", mailUrl(smtp.getSmtp().getPort()), "secret", "not-the-password"));
        Notifier n = notifier(channels);
        n.onEvent(raised("perimeter-intrusion-night:cam-fence-north-1"));
        until(() -> kinds("head-mail").contains("audit.notification-failing"), n, 15, "a refused login was not a failure: " + records);
        assertEquals(0, smtp.getReceivedMessages().length);
        assertFalse(kinds("head-mail").contains("audit.notification-sent"));
        String error = records.stream().filter(e -> e.kind().equals("audit.notification-failing")).findFirst().orElseThrow()
                .attributes().get("error");
        assertTrue(error.startsWith("mail: AuthenticationFailedException"), error);
        assertFalse(error.contains("not-the-password"), "the password is in the record: " + error);
    }

    @Test
    void aMailServerThatNeverSpeaksHoldsUpNoOtherChannel() throws Exception {
        Map<String, Object> channels = new LinkedHashMap<>();
        channels.put("dead-mail", Map.of("type", "email", "url", mailUrl(silent.getLocalPort()), "secret", "x"));
        channels.put("head-mail", Map.of("type", "email", "url", mailUrl(smtp.getSmtp().getPort()), "secret", "mail-password-1"));
        Notifier n = notifier(channels);
        Instant t0 = Instant.now();
        n.onEvent(raised("perimeter-intrusion-night:cam-fence-north-1"));
        until(() -> smtp.getReceivedMessages().length == 2, n, 5, "the good server's mail waited behind the silent one");
        assertTrue(kinds("dead-mail").isEmpty(), "the silent server finished already: " + records);
        until(() -> kinds("dead-mail").contains("audit.notification-failing"), n, 40, "the silent server never timed out");
        long s = Duration.between(t0, Instant.now()).toSeconds();
        assertTrue(s >= Channel.TIMEOUT.toSeconds() - 1 && s <= Channel.TIMEOUT.toSeconds() * 3 + 6, s + " s");
    }

    @Test
    void anEmailChannelMustSayFromAndToAndIsNeverEchoed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Channel("m", Channel.Type.EMAIL,
                URI.create("smtp://user:SECRETPW@mail.school.edu.cn:587/?from=gw%40school.edu.cn"), null));
        assertTrue(e.getMessage().contains("to=") && !e.getMessage().contains("SECRETPW"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Channel("m", Channel.Type.EMAIL,
                URI.create("http://mail.school.edu.cn/?from=a%40b.cn&to=c%40d.cn"), null));
        assertThrows(IllegalArgumentException.class, () -> new Channel("m", Channel.Type.EMAIL,
                URI.create("smtps://mail.school.edu.cn/?from=a%40b.cn&to=not+an+address"), null));
    }
}
