package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.gateway.ConsoleClient;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.notify.RobotReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * People are told, not only pages: a night intrusion through the real gateway reaches the guard on
 * duty (the calendar's guard roster: the guards' WeCom group now, DingTalk for the next shift) at once; unacknowledged, it reaches the head of security's DingTalk group (a signed
 * robot) at the escalation level; a second alarm acknowledged in time does not escalate and its
 * acknowledgement is told to the guard's group. Each delivery is on the alarm's record in the store,
 * and nothing carries more than the alarm's own fields.
 */
class AlarmNotificationIT {

    @TempDir
    Path dir;

    @Test
    void anIntrusionIsToldToTheGuardAtOnceAndEscalatesToTheHeadOfSecurityUnlessAcknowledged() throws Exception {
        com.icegreen.greenmail.util.GreenMail smtp = new com.icegreen.greenmail.util.GreenMail(
                com.icegreen.greenmail.util.ServerSetupTest.SMTP.dynamicPort()).withConfiguration(
                com.icegreen.greenmail.configuration.GreenMailConfiguration.aConfig().withUser("gw@school.edu.cn", "gw-sch", "mail-pw-1"));
        smtp.start();
        try (RobotReceiver robots = new RobotReceiver("guard-key-1", "head-token", "SECsimulated0123456789").start();
             BroadcastController pa = new BroadcastController(List.of("playground", "dormitory"), 200)) {
            URI api = pa.start(0);
            Path home = dir.resolve("gw");
            Files.createDirectories(home.resolve("conf"));
            // the robots, and the head of security's mailbox through the school's SMTP server (GreenMail, in this JVM)
            Files.writeString(home.resolve("conf/notifications.yaml"), robots.notificationsYaml(8)
                    .replace("channels:\n", "channels:\n  head-mail:\n    type: email\n    url: \"smtp://gw-sch@127.0.0.1:"
                            + smtp.getSmtp().getPort() + "/?from=gw%40school.edu.cn&to=head%40school.edu.cn\"\n    secret: \"mail-pw-1\"\n")
                    .replace("channels: [guard-wecom]", "duty: guard\n    channels: [head-mail]"));
            List<String> settings = new ArrayList<>(GatewayFixture.nightRules(dir, "rules"));
            // the guard on duty now is reached through the guards' WeCom group; the next shift's guard (from an hour on) through
            // DingTalk: a roster read at the wrong time or the wrong shift shows as a DingTalk message too many
            java.time.LocalTime now = java.time.LocalTime.now(java.time.ZoneId.of("Asia/Shanghai")).withSecond(0).withNano(0);
            String from = now.minusHours(1).toString(), to = now.plusHours(1).toString(), all = "[monday, tuesday, wednesday,"
                    + " thursday, friday, saturday, sunday]";
            Files.writeString(dir.resolve("no-school.yaml"), "schoolHours: {}\ndutyRosters:\n  guard:\n"
                    + "    - {days: " + all + ", time: \"" + from + "-" + to + "\", on: 当班门卫 guard on duty, channels: [guard-wecom]}\n"
                    + "    - {days: " + all + ", time: \"" + to + "-" + from + "\", on: 下一班 next shift, channels: [head-dingtalk]}\n");
            Path school = GatewayFixture.schoolWithController(dir.resolve("school.yaml"), "sch-notify-it", api);
            Files.writeString(school, Files.readString(school) + """
                      - id: cam-fence-north-1
                        profile: camera-isapi
                        location:
                          building: 北围墙
                          zone: perimeter
                      - id: cam-fence-north-2
                        profile: camera-isapi
                        location:
                          building: 北围墙
                          zone: perimeter
                    """);
            settings.add("registry.inventoryFile=" + school);
            try (GatewayProcess gw = GatewayFixture.start(home, settings.toArray(String[]::new))) {
                pa.credentials("pa-main", gw.deviceKeys().secret("pa-main"));
                long t0 = System.nanoTime();
                GatewayFixture.intrusion(gw, "cam-fence-north-1");
                assertTrue(GatewayFixture.eventually(15, () -> robots.received("wecom").size() == 1), "the guard's group was not told: "
                        + robots.received() + ", refused " + robots.refused() + "\n" + GatewayFixture.problems(gw, 20));
                System.out.printf("intrusion -> guard's WeCom group: %d ms%n", (robots.received("wecom").get(0).nanos() - t0) / 1_000_000);
                String told = robots.received("wecom").get(0).body();
                assertTrue(told.contains("【紧急报警】") && told.contains("perimeter-intrusion-night:cam-fence-north-1"), told);
                // and by e-mail, through the gateway's embedded Jakarta Mail (inside the OSGi bundle)
                assertTrue(GatewayFixture.eventually(15, () -> smtp.getReceivedMessages().length >= 1), "no mail arrived: "
                        + GatewayFixture.problems(gw, 20));
                jakarta.mail.internet.MimeMessage mail = smtp.getReceivedMessages()[0];
                assertTrue(mail.getSubject().startsWith("【紧急报警】") && ((String) mail.getContent())
                        .contains("perimeter-intrusion-night:cam-fence-north-1"), mail.getSubject());
                GatewayFixture.intrusion(gw, "cam-fence-north-2");
                assertTrue(GatewayFixture.eventually(15, () -> robots.received("wecom").size() == 2), "the second alarm was not told");
                ConsoleClient guard = ConsoleClient.admin(gw);
                assertEquals(200, guard.post("/api/alarms/acknowledge", "key=perimeter-intrusion-night%3Acam-fence-north-2&note=guard+sent"));
                assertTrue(GatewayFixture.eventually(15, () -> robots.received("wecom").size() == 3), "the acknowledgement was not told");
                assertTrue(robots.received("wecom").get(2).body().contains("【报警已确认】"), robots.received("wecom").get(2).body());
                // 8 s after the raise the unacknowledged one escalates to the head of security, the acknowledged one does not
                assertTrue(GatewayFixture.eventually(20, () -> robots.received("dingtalk").size() == 1),
                        "no escalation reached the head of security: " + robots.received() + ", refused " + robots.refused());
                Thread.sleep(3_000);
                assertEquals(1, robots.received("dingtalk").size(), "the acknowledged alarm escalated too");
                String up = robots.received("dingtalk").get(0).body();
                assertTrue(up.contains("【报警升级") && up.contains("cam-fence-north-1"), up);
                assertEquals(0, robots.refused(), "a robot refused the gateway's request (key or signature)");
                // on the alarm's record: each delivery, by channel
                assertEquals(List.of("guard-wecom|perimeter-intrusion-night:cam-fence-north-1", "guard-wecom|perimeter-intrusion-night:cam-fence-north-2",
                        "guard-wecom|perimeter-intrusion-night:cam-fence-north-2", "head-dingtalk|perimeter-intrusion-night:cam-fence-north-1",
                        "head-mail|perimeter-intrusion-night:cam-fence-north-1", "head-mail|perimeter-intrusion-night:cam-fence-north-2",
                        "head-mail|perimeter-intrusion-night:cam-fence-north-2"),
                        GatewayFixture.rows(gw.storePath(), "SELECT json_extract(attributes, '$.channel') || '|' || json_extract(attributes, '$.alarm')"
                                + " FROM events WHERE kind = 'audit.notification-sent' ORDER BY json_extract(attributes, '$.channel'),"
                                + " json_extract(attributes, '$.alarm'), id"));
            }
        } finally {
            smtp.stop();
        }
    }
}
