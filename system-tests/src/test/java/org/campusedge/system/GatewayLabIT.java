package org.campusedge.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole gateway as a school runs it: the distribution started as a process, Equinox with every
 * bundle, a CoAP SenML POST from Californium's client, the readings read back from the SQLite file;
 * a pack with a point the profile lacks stores its readings, that one marked unprofiled.
 */
class GatewayLabIT {

    @TempDir
    Path dir;

    @Test
    void aSenmlPostLandsInSqliteAsLabReadingsWithValuesAndUnits() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir)) {
            assertEquals("running", gw.status().getProperty("state"), gw.console());
            String report = gw.console();
            for (String component : List.of("SqliteEventStore", "RxEventBus", "FileDeviceRegistry", "CamelGatewayComponent",
                    "DevicePresence")) {
                assertTrue(report.lines().anyMatch(l -> l.contains(component) && l.contains("ACTIVE")), component + " not active:\n" + report);
            }
            assertTrue(report.contains("0 not active"), report);

            String pack = "[{\"bn\":\"urn:dev:lab-chem-1-s1:\",\"bt\":1763800000.25,\"n\":\"temperature\",\"u\":\"Cel\",\"v\":23.5},"
                    + "{\"n\":\"humidity\",\"u\":\"%RH\",\"v\":41.2},{\"n\":\"co2\",\"u\":\"ppm\",\"v\":812,\"t\":1},"
                    + "{\"n\":\"ph\",\"v\":6.75,\"t\":2}]";
            CoapResponse r = GatewayFixture.post(gw, "lab-chem-1-s1", pack);
            assertEquals(ResponseCode.CHANGED, r.getCode());

            // 2.04 means durable: the rows are there for a reader that is not the gateway, right away
            List<String> rows = GatewayFixture.rows(gw.storePath(), "SELECT kind, device_id, occurred_at,"
                    + " json_extract(measurements,'$[0].n'), json_extract(measurements,'$[0].v'),"
                    + " json_extract(measurements,'$[0].u'), school_id, room FROM event_log WHERE kind = 'lab.reading'"
                    + " ORDER BY occurred_at, json_extract(measurements,'$[0].n') DESC"); // ids of one instant sort by their hash
            assertEquals(List.of(
                    "lab.reading|lab-chem-1-s1|1763800000250|temperature|23.5|Cel|sch-example-01|301 化学实验室 Chemistry Lab",
                    "lab.reading|lab-chem-1-s1|1763800000250|humidity|41.2|%RH|sch-example-01|301 化学实验室 Chemistry Lab",
                    "lab.reading|lab-chem-1-s1|1763800001250|co2|812.0|ppm|sch-example-01|301 化学实验室 Chemistry Lab",
                    "lab.reading|lab-chem-1-s1|1763800002250|ph|6.75|pH|sch-example-01|301 化学实验室 Chemistry Lab"), rows);

            // a student plugs a conductivity probe the kit's profile lacks: the pack's other readings are stored as always,
            // the probe's too, marked unprofiled, and the admin page lists the point for that kit
            String withProbe = "[{\"bn\":\"urn:dev:lab-chem-1-s1:\",\"bt\":1763800010,\"n\":\"temperature\",\"u\":\"Cel\",\"v\":24.0},"
                    + "{\"n\":\"conductivity\",\"u\":\"mS/cm\",\"v\":1.2},{\"n\":\"ph\",\"v\":6.8}]";
            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, "lab-chem-1-s1", withProbe).getCode());
            assertEquals(List.of("conductivity|1.2|mS/cm|unprofiled", "ph|6.8|pH|null", "temperature|24.0|Cel|null"),
                    GatewayFixture.rows(gw.storePath(), "SELECT json_extract(measurements,'$[0].n'), json_extract(measurements,'$[0].v'),"
                            + " json_extract(measurements,'$[0].u'), json_extract(attributes,'$.quality') FROM event_log"
                            + " WHERE kind = 'lab.reading' AND occurred_at = 1763800010000 ORDER BY 1"));
            String admin = org.campusedge.simulators.gateway.ConsoleClient.admin(gw).get("/api/admin");
            assertTrue(admin.contains("\"unprofiled\":[{\"point\":\"conductivity\",\"unit\":\"mS/cm\",\"readings\":1}]"), admin);
            // a name that is no point name at all is garbage: that pack is refused whole, as before (by SenML's rules for a
            // name, or, for a SenML name too long, by the gateway's for a point)
            for (String name : List.of("<img src=x>", "x".repeat(50))) {
                CoapResponse garbage = GatewayFixture.post(gw, "lab-chem-1-s1", "[{\"bt\":1763800020,\"n\":\"temperature\",\"v\":24.1},"
                        + "{\"n\":\"" + name + "\",\"v\":1}]");
                assertEquals(ResponseCode.BAD_REQUEST, garbage.getCode(), name);
                assertTrue(garbage.getResponseText().matches(".*(invalid character|is not a point name).*"), garbage.getResponseText());
            }
            assertEquals(0, GatewayFixture.count(gw.storePath(), "kind = 'lab.reading' AND occurred_at = 1763800020000"));
        }
    }

    @Test
    void badInputIsRefusedWithAReasonAndTheGatewayKeepsServing() throws Exception {
        try (GatewayProcess gw = GatewayFixture.start(dir)) {
            CoapResponse bad = GatewayFixture.post(gw, "lab-phys-1-s1", "[{\"n\":\"temperature\",\"v\":\"hot\"}]");
            assertEquals(ResponseCode.BAD_REQUEST, bad.getCode());
            assertTrue(bad.getResponseText().contains("'v' must be a number"), bad.getResponseText());

            assertEquals(ResponseCode.NOT_FOUND, GatewayFixture.post(gw, "lab-not-in-inventory", "[{\"n\":\"ph\",\"v\":7}]").getCode());

            StringBuilder huge = new StringBuilder("[");
            for (int i = 0; i < 1001; i++) {
                huge.append(i == 0 ? "" : ",").append("{\"n\":\"ph\",\"v\":7}");
            }
            assertEquals(ResponseCode.REQUEST_ENTITY_TOO_LARGE, GatewayFixture.post(gw, "lab-phys-1-s1", huge + "]").getCode());

            assertEquals(ResponseCode.CHANGED, GatewayFixture.post(gw, "lab-phys-1-s1", "[{\"n\":\"ph\",\"v\":7.1}]").getCode());
            assertEquals(1, GatewayFixture.count(gw.storePath(), "kind = 'lab.reading'"));
            assertFalse(gw.console().contains("Exception"), "a bad pack put a stack trace in the log:\n" + gw.console());
        }
    }
}
