package org.campusedge.camel.nvr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.campusedge.api.RejectedInputException;
import org.junit.jupiter.api.Test;

/** The recorder's answers as Hikvision firmware writes them, and what a hostile device sends instead. */
class IsapiStatusParserTest {

    private final IsapiStatusParser parser = new IsapiStatusParser();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsANamespacedDiskListAndTellsASoundDiskFromAFailedOne() {
        List<RecorderStatus.Disk> disks = parser.disks(b("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hddList version=\"2.0\" "
                + "xmlns=\"http://www.hikvision.com/ver20/XMLSchema\"><hdd version=\"2.0\"><id>1</id><hddName>hdde</hddName>"
                + "<hddType>SATA</hddType><status>ok</status><capacity>3815447</capacity><freeSpace>0</freeSpace><property>RW</property>"
                + "</hdd><hdd version=\"2.0\"><id>2</id><hddName>hddf</hddName><status>smartFailed</status><capacity>1907729</capacity>"
                + "<freeSpace>1200</freeSpace></hdd></hddList>"));
        assertEquals(2, disks.size());
        assertEquals(new RecorderStatus.Disk("1", "hdde", "ok", 3815447, 0), disks.get(0));
        assertTrue(disks.get(0).healthy());
        assertEquals("smartFailed", disks.get(1).status());
        assertTrue(!disks.get(1).healthy());
    }

    @Test
    void readsTheChannelsOfAWorkingStatus() {
        List<RecorderStatus.Channel> channels = parser.channels(b("{\"WorkingStatus\":{\"devStatus\":0,\"ChanStatus\":["
                + "{\"chanNo\":1,\"enable\":1,\"online\":1,\"record\":1,\"signal\":0,\"linkNum\":2,\"bitRate\":4096,\"linkIP\":[\"10.0.0.9\"]},"
                + "{\"chanNo\":2,\"enable\":1,\"online\":0,\"record\":0}],\"HDStatus\":[{\"hdNo\":1,\"status\":0}]}}"));
        assertEquals(List.of(new RecorderStatus.Channel(1, true, true), new RecorderStatus.Channel(2, false, false)), channels);
    }

    @Test
    void readsTheFirstMatchOfASearchOrNone() {
        assertEquals(Instant.parse("2026-10-30T08:00:00Z"), parser.firstMatchStart(b("<CMSearchResult xmlns=\"http://www.hikvision.com/ver20/XMLSchema\">"
                + "<numOfMatches>1</numOfMatches><matchList><searchMatchItem><trackID>101</trackID><timeSpan>"
                + "<startTime>2026-10-30T16:00:00+08:00</startTime><endTime>2026-10-30T17:00:00+08:00</endTime></timeSpan>"
                + "</searchMatchItem></matchList></CMSearchResult>")));
        assertNull(parser.firstMatchStart(b("<CMSearchResult><numOfMatches>0</numOfMatches></CMSearchResult>")));
    }

    @Test
    void refusesWhatAHostileDeviceSends() {
        for (String bad : List.of(
                "<?xml version=\"1.0\"?><!DOCTYPE hddList [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><hddList><hdd><id>1</id>"
                        + "<status>&x;</status></hdd></hddList>",
                "<hddList><hdd><id>1</id><status>&undeclared;</status></hdd></hddList>",
                "<ResponseStatus><statusCode>4</statusCode></ResponseStatus>",
                "<hddList><hdd><id>1</id>",
                "")) {
            assertThrows(RejectedInputException.class, () -> parser.disks(b(bad)), bad);
        }
        for (String bad : List.of("[" + "[".repeat(100_000), "{\"WorkingStatus\":" + "{\"a\":".repeat(50) + "1" + "}".repeat(51),
                "not json", "[1,2]")) {
            assertThrows(RejectedInputException.class, () -> parser.channels(b(bad)), bad.substring(0, Math.min(40, bad.length())));
        }
        RejectedInputException big = assertThrows(RejectedInputException.class, () -> parser.disks(new byte[IsapiStatusParser.MAX_BYTES + 1]));
        assertEquals(RejectedInputException.Reason.TOO_LARGE, big.reason());
        assertThrows(RejectedInputException.class, () -> parser.firstMatchStart(b("<CMSearchResult><timeSpan><startTime>yesterday"
                + "</startTime></timeSpan></CMSearchResult>")));
    }

    /** The family's defaults are the ones its Metatype (what docs/SETTINGS.md and the launcher read) says. */
    @Test
    void theFamilysMetatypeDefaultsAreItsOwn() throws Exception {
        String xml = Files.readString(Path.of("src/main/resources/OSGI-INF/metatype/org.campusedge.nvr.xml"));
        assertTrue(xml.contains("<Designate pid=\"" + NvrFamily.PID + "\">"));
        java.util.Map<String, String> defaults = new java.util.TreeMap<>();
        Matcher m = Pattern.compile("<AD id=\"(\\w+)\"[^>]*default=\"([^\"]*)\"").matcher(xml);
        while (m.find()) {
            defaults.put(m.group(1), m.group(2));
        }
        assertEquals(java.util.Map.of("pollSeconds", "60", "retentionDays", "30", "retentionEvery", "10", "timeoutSeconds", "5"),
                defaults);
        assertEquals(NvrFamily.DEFAULTS, defaults);
    }
}
