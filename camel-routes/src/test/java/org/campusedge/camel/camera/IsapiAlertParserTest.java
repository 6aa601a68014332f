package org.campusedge.camel.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.campusedge.api.RejectedInputException;
import org.campusedge.api.RejectedInputException.Reason;
import org.campusedge.simulators.camera.AlertDocuments;
import org.junit.jupiter.api.Test;

/** Camera alert documents: both encodings, and the hostile and broken ones a camera port meets. */
class IsapiAlertParserTest {

    private final IsapiAlertParser parser = new IsapiAlertParser();

    private static final String HIKVISION_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
            <ipAddress>172.6.64.7</ipAddress>
            <portNo>80</portNo>
            <protocol>HTTP</protocol>
            <macAddress>01:17:24:45:D9:F4</macAddress>
            <channelID>1</channelID>
            <dateTime>2026-11-20T22:31:05+08:00</dateTime>
            <activePostCount>1</activePostCount>
            <eventType>fielddetection</eventType>
            <eventState>active</eventState>
            <eventDescription>fielddetection alarm</eventDescription>
            <channelName>Camera 01</channelName>
            <DetectionRegionList>
              <DetectionRegionEntry>
                <regionID>2</regionID>
                <sensitivityLevel>50</sensitivityLevel>
                <RegionCoordinatesList><RegionCoordinates><positionX>10</positionX><positionY>20</positionY></RegionCoordinates></RegionCoordinatesList>
              </DetectionRegionEntry>
              <DetectionRegionEntry><regionID>3</regionID></DetectionRegionEntry>
            </DetectionRegionList>
            </EventNotificationAlert>
            """;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private RejectedInputException refused(String body, String contentType) {
        return assertThrows(RejectedInputException.class, () -> parser.parse(bytes(body), contentType));
    }

    @Test
    void readsAHikvisionXmlAlert() {
        CameraAlert a = parser.parse(bytes(HIKVISION_XML), "application/xml; charset=UTF-8");
        assertEquals("fielddetection", a.eventType());
        assertEquals("active", a.eventState());
        assertEquals("1", a.channelId());
        assertEquals("2", a.regionId(), "the first region of the list");
        assertEquals("2026-11-20T22:31:05+08:00", a.dateTime());
        assertEquals("1", a.activePostCount());
        assertEquals("fielddetection alarm", a.description());
    }

    @Test
    void readsAJsonAlertWithRegionsAndSnapshot() {
        String json = """
                {"ipAddress":"10.0.0.9","channelID":3,"dateTime":"2026-11-20T08:00:00+08:00","activePostCount":4,
                 "eventType":"linedetection","eventState":"active","eventDescription":"Line crossing",
                 "DetectionRegionList":[{"regionID":7,"sensitivityLevel":50}],"bkgUrl":"http://cam/pic.jpg","extra":{"a":[1,2]}}
                """;
        CameraAlert a = parser.parse(bytes(json), "application/json");
        assertEquals("linedetection", a.eventType());
        assertEquals("3", a.channelId());
        assertEquals("7", a.regionId());
        assertEquals("4", a.activePostCount());
        assertEquals("http://cam/pic.jpg", a.snapshotUrl());
    }

    @Test
    void theDeclaredTypeDecidesNeverTheBody() {
        // what a plain HTML form on any web page can send: refused, whatever the body looks like
        for (String formType : new String[] {"text/plain", "text/plain; charset=UTF-8", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x"}) {
            assertEquals(Reason.UNSUPPORTED, refused("{\"eventType\":\"linedetection\",\"eventState\":\"active\"}", formType).reason(),
                    formType);
        }
        assertEquals(Reason.UNSUPPORTED, refused("{\"eventType\":\"VMD\"}", null).reason());
        assertEquals(Reason.UNSUPPORTED, refused("<EventNotificationAlert><eventType>VMD</eventType></EventNotificationAlert>", "")
                .reason());
        assertEquals("VMD", parser.parse(bytes("<EventNotificationAlert><eventType>VMD</eventType></EventNotificationAlert>"),
                "text/xml; charset=UTF-8").eventType());
        // JSON declared as XML is not sniffed into JSON
        assertEquals(Reason.MALFORMED, refused("{\"eventType\":\"VMD\"}", "application/xml").reason());
    }

    @Test
    void readsWhatTheSimulatorSendsInBothEncodings() {
        AlertDocuments.Alert alert = new AlertDocuments.Alert("shelteralarm", true, 2, null,
                OffsetDateTime.of(2026, 11, 20, 9, 0, 0, 0, ZoneOffset.ofHours(8)), 5, "10.30.0.4", "http://x/p.jpg", "Shelter alarm");
        for (CameraAlert a : new CameraAlert[] {parser.parse(bytes(AlertDocuments.xml(alert)), "application/xml"),
                parser.parse(bytes(AlertDocuments.json(alert)), "application/json")}) {
            assertEquals("shelteralarm", a.eventType());
            assertEquals("2", a.channelId());
            assertNull(a.regionId());
            assertEquals("http://x/p.jpg", a.snapshotUrl());
            assertEquals("5", a.activePostCount());
        }
    }

    @Test
    void refusesExternalEntities() throws Exception {
        // a listener that counts fetches: an XXE or external DTD that worked would reach it
        HttpServer bait = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger fetched = new AtomicInteger();
        bait.createContext("/", ex -> {
            fetched.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        bait.start();
        try {
            String url = "http://127.0.0.1:" + bait.getAddress().getPort() + "/x";
            RejectedInputException xxe = refused("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY xxe SYSTEM \"" + url + "\">]>"
                    + "<EventNotificationAlert><eventType>&xxe;</eventType></EventNotificationAlert>", "application/xml");
            assertEquals(Reason.MALFORMED, xxe.reason());
            assertTrue(xxe.getMessage().contains("DOCTYPE"), xxe.getMessage());
            refused("<!DOCTYPE EventNotificationAlert SYSTEM \"" + url + "\"><EventNotificationAlert/>", "text/xml");
            refused("<EventNotificationAlert><eventType>&local;</eventType></EventNotificationAlert>", "application/xml");
            String fileXxe = "<!DOCTYPE a [<!ENTITY f SYSTEM \"file:///etc/passwd\">]><EventNotificationAlert><eventType>&f;</eventType></EventNotificationAlert>";
            assertTrue(refused(fileXxe, "application/xml").getMessage().contains("DOCTYPE"));
            assertEquals(0, fetched.get(), "the parser fetched an external entity or DTD");
        } finally {
            bait.stop(0);
        }
    }

    @Test
    void refusesEntityExpansion() {
        StringBuilder laughs = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
        String previous = "lol";
        for (int i = 1; i <= 9; i++) {
            laughs.append("<!ENTITY lol").append(i).append(" \"");
            for (int k = 0; k < 10; k++) {
                laughs.append('&').append(previous).append(';');
            }
            laughs.append("\">");
            previous = "lol" + i;
        }
        laughs.append("]><EventNotificationAlert><eventType>&lol9;</eventType></EventNotificationAlert>");
        long t0 = System.nanoTime();
        RejectedInputException e = refused(laughs.toString(), "application/xml");
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "billion laughs was expanded");
    }

    @Test
    void refusesBrokenAndWrongDocuments() {
        assertTrue(refused("<EventNotificationAlert><eventType>VMD</eventType>", "application/xml")
                .getMessage().startsWith("not well-formed XML"));
        assertTrue(refused("<Foo><eventType>VMD</eventType></Foo>", "application/xml").getMessage().contains("<Foo>"));
        assertTrue(refused("<EventNotificationAlert><eventState>active</eventState></EventNotificationAlert>", "application/xml")
                .getMessage().contains("eventType is missing"));
        assertTrue(refused("{\"eventType\":\"VMD\",\"eventState\":\"on\"}", "application/json")
                .getMessage().contains("neither active nor inactive"));
        assertEquals(Reason.MALFORMED, refused("{\"eventType\":\"VMD\"", "application/json").reason());
        assertTrue(refused("[1,2]", "application/json").getMessage().contains("must be an object"));
        assertTrue(refused("{\"eventType\":\"VMD\"} trailing", "application/json").getMessage().startsWith("not valid JSON"));
        assertTrue(refused("{\"eventType\":\"VMD\"} {}", "application/json").getMessage().contains("after"));
        assertTrue(refused("{\"eventType\":42}", "application/json").getMessage().contains("eventType must be a string"));
        assertTrue(refused("{\"eventType\":\"VMD\",\"eventState\":[]}", "application/json").getMessage()
                .contains("eventState must be a string"));
        assertEquals(Reason.UNSUPPORTED, refused("GIF89a....", "image/gif").reason());
        assertEquals(Reason.MALFORMED, assertThrows(RejectedInputException.class, () -> parser.parse(new byte[0], "application/xml")).reason());
        assertEquals(Reason.MALFORMED, refused("\u0000\u0001garbage\u00ff", "application/xml").reason());
    }

    @Test
    void refusesDeepNestingAndHugeText() {
        String deep = "<EventNotificationAlert>" + "<a>".repeat(40) + "</a>".repeat(40) + "</EventNotificationAlert>";
        assertTrue(refused(deep, "application/xml").getMessage().contains("nested"));
        String deepJson = "{\"eventType\":\"VMD\",\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}";
        assertEquals(Reason.MALFORMED, refused(deepJson, "application/json").reason());
        String longText = "<EventNotificationAlert><eventType>" + "x".repeat(10_000) + "</eventType></EventNotificationAlert>";
        assertTrue(refused(longText, "application/xml").getMessage().contains("over"));
    }
}
