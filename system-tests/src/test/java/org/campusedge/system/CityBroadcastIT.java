package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.campusedge.city.BroadcastOrder;
import org.campusedge.city.CommandRecord;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bureau's city-wide emergency broadcast: one order on the dashboard reaches the PA simulators of
 * three schools, each through its own gateway and Hono, and each school's answer comes back to the
 * dashboard's database: on Hono's AMQP network, and on its Kafka topics.
 */
class CityBroadcastIT {

    @TempDir
    Path dir;

    @Test
    void aCityWideBroadcastPlaysInThreeSchoolsAndEveryAnswerComesBack() throws Exception {
        threeSchools(null);
    }

    /** The same through Hono's Kafka command topics: a real broker, the sandbox and the dashboard on Kafka. */
    @Test
    void onKafkaTooThroughHonosCommandTopics() throws Exception {
        try (org.campusedge.kafka.BrokerProcess broker = org.campusedge.kafka.BrokerProcess.start(dir.resolve("kafka"), 4)) {
            threeSchools(broker.bootstrap());
        }
    }

    private void threeSchools(String kafka) throws Exception {
        List<String> schools = List.of("sch-city-a", "sch-city-b", "sch-city-c");
        List<BroadcastController> pas = new ArrayList<>();
        List<GatewayProcess> gateways = new ArrayList<>();
        try (CloudFixture cloud = CloudFixture.start(dir.resolve("city"), schools, kafka)) {
            for (String s : schools) {
                BroadcastController pa = new BroadcastController(List.of("playground", "teaching-1f"), 200);
                pas.add(pa);
                URI api = pa.start(0);
                gateways.add(GatewayFixture.start(dir.resolve("gw-" + s), CloudFixture.concat(CloudFixture.school(dir, s, api),
                        cloud.gatewaySettings(s, 2)).toArray(String[]::new)));
                pa.credentials("pa-main", gateways.get(gateways.size() - 1).deviceKeys().secret("pa-main"));
            }
            // the dashboard knows a school once its gateway has sent something
            assertTrue(GatewayFixture.eventually(60, () -> GatewayFixture.rows(cloud.cityDb, "SELECT DISTINCT school FROM messages").size() == 3),
                    "not every school reached the city");
            String text = "市教育局紧急通知：台风预警，请立即组织学生到室内安全区域";
            List<CommandRecord> answers = cloud.city.broadcast(BroadcastOrder.cityWide(text)).completion().get(90, TimeUnit.SECONDS);
            assertEquals(3, answers.size(), answers.toString());
            for (CommandRecord r : answers) {
                assertEquals(200, r.code(), r.toString());
            }
            assertEquals(schools, answers.stream().map(CommandRecord::school).sorted().toList());
            for (BroadcastController pa : pas) {
                assertTrue(GatewayFixture.eventually(10, () -> pa.played().stream().anyMatch(p -> p.what().contains("台风预警"))),
                        "a school's PA did not play the city's text: " + pa.played());
            }
            assertEquals(3L, Long.parseLong(GatewayFixture.rows(cloud.cityDb,
                    "SELECT count(*) FROM commands WHERE command = 'broadcast' AND code = 200").get(0)));
        } finally {
            for (GatewayProcess g : gateways) {
                g.close();
            }
            for (BroadcastController pa : pas) {
                pa.close();
            }
        }
    }
}
