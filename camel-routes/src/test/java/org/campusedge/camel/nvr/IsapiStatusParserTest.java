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

    @Test
    void channelsAfterTheirListDuplicatesAndBadNumbersAreNotChannels() {
        assertEquals(List.of(new RecorderStatus.Channel(1, true, true)), parser.channels(b("{\"WorkingStatus\":{\"ChanStatus\":["
                + "{\"chanNo\":1,\"record\":1},{\"chanNo\":1,\"record\":0},{\"chanNo\":0,\"record\":1},{\"chanNo\":-3,\"record\":1}],"
                + "\"HDStatus\":[{\"chanNo\":9,\"record\":0}]}}")));
    }

    @Test
    void aSearchAnswerMustBeASearchResultAndNoMatchesIsNone() {
        // a device echoing the gateway's own request back would otherwise report recordings since 2000
        assertThrows(RejectedInputException.class, () -> parser.firstMatchStart(b(RecorderPoll.searchFor(1))));
        assertNull(parser.firstMatchStart(b("<CMSearchResult><numOfMatches>0</numOfMatches><matchList><searchMatchItem><timeSpan>"
                + "<startTime>2000-01-01T00:00:00Z</startTime></timeSpan></searchMatchItem></matchList></CMSearchResult>")));
    }

    @Test
    void formattingErasesAndIsNoSoundDisk() {
        assertTrue(!new RecorderStatus.Disk("1", "hdd1", "formating", 1, 1).healthy());
    }

    @Test
    void aMappedCameraTheRecorderDoesNotListAndARecorderWithoutDisksAreReported() {
        org.campusedge.api.Device nvr = new org.campusedge.api.Device("nvr-1", "s", "nvr-isapi", "nvr", org.campusedge.api.Location.UNKNOWN,
                "http://127.0.0.1:1", java.util.Map.of("channels", "1=cam-a,5=cam-e"));
        org.campusedge.api.DeviceRegistry none = new org.campusedge.api.DeviceRegistry() {
            public String schoolId() { return "s"; }
            public java.util.Optional<org.campusedge.api.Device> device(String id) { return java.util.Optional.empty(); }
            public java.util.Collection<org.campusedge.api.Device> devices() { return List.of(); }
            public java.util.Optional<org.campusedge.api.Profile> profile(String id) { return java.util.Optional.empty(); }
            public java.util.Collection<org.campusedge.api.Profile> profiles() { return List.of(); }
            public List<String> loadErrors() { return List.of(); }
            public long generation() { return 0; }
            public AutoCloseable addListener(Listener l) { return () -> { }; }
        };
        List<org.campusedge.api.CampusEvent> events = new RecorderEvents(none).of(nvr, new RecorderStatus(List.of(),
                List.of(new RecorderStatus.Channel(1, true, true)), null), java.time.Duration.ofDays(30), null, Instant.now());
        assertEquals(List.of(NvrFamily.STATUS, NvrFamily.NOT_RECORDING, NvrFamily.DISK_FAULT),
                events.stream().map(org.campusedge.api.CampusEvent::kind).toList());
        assertEquals("5", events.get(1).attributes().get("channel"));
        assertEquals("true", events.get(1).attributes().get("missing"));
        assertEquals("cam-e", events.get(1).attributes().get("camera"));
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
