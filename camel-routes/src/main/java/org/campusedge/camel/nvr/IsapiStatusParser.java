package org.campusedge.camel.nvr;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.campusedge.api.RejectedInputException;
import org.campusedge.api.RejectedInputException.Reason;

/**
 * Reads a Hikvision-style recorder's ISAPI answers: the disk list ({@code hddList} XML), the
 * working status ({@code WorkingStatus} JSON, its {@code ChanStatus} per channel) and a recording
 * search's first match ({@code CMSearchResult} XML). A recorder is a device on the school network:
 * no DTD, no entities, bounded sizes, and anything unreadable is refused with a reason.
 */
final class IsapiStatusParser {

    /** Largest answer read; a recorder's status is a few kilobytes. */
    static final int MAX_BYTES = 256 * 1024;
    private static final int MAX_ITEMS = 256;
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final XMLInputFactory xml;

    IsapiStatusParser() {
        xml = XMLInputFactory.newFactory();
        xml.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xml.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        xml.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    }

    /** The disks of an {@code hddList} document (namespaced or not). */
    List<RecorderStatus.Disk> disks(byte[] body) {
        List<RecorderStatus.Disk> out = new ArrayList<>();
        Map<String, String> hdd = null;
        String field = null;
        StringBuilder text = new StringBuilder();
        XMLStreamReader r = reader(body);
        try {
            boolean root = true;
            while (r.hasNext()) {
                int e = next(r);
                if (e == XMLStreamConstants.START_ELEMENT) {
                    String name = r.getLocalName();
                    if (root && !name.equals("hddList")) {
                        throw refused("not an hddList document (root " + name + ")");
                    }
                    root = false;
                    if (name.equals("hdd")) {
                        hdd = new HashMap<>();
                    } else if (hdd != null) {
                        field = name;
                        text.setLength(0);
                    }
                } else if (e == XMLStreamConstants.CHARACTERS && field != null && text.length() < 256) {
                    String t = r.getText();
                    text.append(t, 0, Math.min(t.length(), 256 - text.length()));
                } else if (e == XMLStreamConstants.END_ELEMENT) {
                    if (r.getLocalName().equals("hdd") && hdd != null) {
                        if (out.size() == MAX_ITEMS) {
                            throw refused("more than " + MAX_ITEMS + " disks");
                        }
                        String id = hdd.getOrDefault("id", Integer.toString(out.size() + 1));
                        out.add(new RecorderStatus.Disk(id, hdd.getOrDefault("hddName", "hdd" + id), hdd.getOrDefault("status", "unknown"),
                                number(hdd.get("capacity")), number(hdd.get("freeSpace"))));
                        hdd = null;
                    } else if (field != null && hdd != null) {
                        hdd.put(field, text.toString().trim());
                        field = null;
                    }
                }
            }
        } catch (XMLStreamException ex) {
            throw refused("the disk list is not well-formed XML: " + ex.getMessage());
        }
        return out;
    }

    /** The channels of a {@code WorkingStatus} JSON answer: {@code chanNo}, {@code online}, {@code record}. */
    List<RecorderStatus.Channel> channels(byte[] body) {
        List<RecorderStatus.Channel> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(bounded(body))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw refused("the working status is not a JSON object");
            }
            boolean inChannels = false;
            int channelsDepth = -1;
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            int depth = 1;
            Integer number = null;
            boolean online = true;
            boolean recording = false;
            int channelDepth = -1;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> {
                        depth++;
                        if (depth > 16) {
                            throw refused("the working status nests deeper than 16");
                        }
                        if (t == JsonToken.START_OBJECT && inChannels && channelDepth < 0) {
                            channelDepth = depth;
                            number = null;
                            online = true;
                            recording = false;
                        }
                    }
                    case END_OBJECT, END_ARRAY -> {
                        if (depth == channelsDepth) { // the end of ChanStatus: what follows is not a channel
                            inChannels = false;
                            channelsDepth = -1;
                        }
                        if (t == JsonToken.END_OBJECT && depth == channelDepth) {
                            if (number != null && number > 0 && seen.add(number)) {
                                if (out.size() == MAX_ITEMS) {
                                    throw refused("more than " + MAX_ITEMS + " channels");
                                }
                                out.add(new RecorderStatus.Channel(number, online, recording));
                            }
                            channelDepth = -1;
                        }
                        depth--;
                    }
                    case FIELD_NAME -> {
                        String name = p.currentName();
                        if (name.equals("ChanStatus") && !inChannels) {
                            inChannels = true;
                            channelsDepth = depth + 1; // the array (or object) that follows
                        } else if (channelDepth == depth) {
                            JsonToken v = p.nextToken();
                            if (v.isStructStart()) {
                                p.skipChildren();
                            } else if (name.equals("chanNo")) {
                                number = p.getValueAsInt(-1);
                            } else if (name.equals("online")) {
                                online = p.getValueAsInt(1) != 0;
                            } else if (name.equals("record")) {
                                recording = p.getValueAsInt(0) != 0;
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            throw refused("the working status is not JSON: " + e.getMessage());
        }
        return out;
    }

    /** The start of the first match of a recording search, or null when nothing matched. */
    Instant firstMatchStart(byte[] body) {
        XMLStreamReader r = reader(body);
        boolean inSpan = false;
        boolean root = true;
        try {
            while (r.hasNext()) {
                int e = next(r);
                if (e == XMLStreamConstants.START_ELEMENT) {
                    String name = r.getLocalName();
                    if (root && !name.equals("CMSearchResult")) {
                        throw refused("not a CMSearchResult document (root " + name + ")");
                    }
                    root = false;
                    if (name.equals("numOfMatches") && r.getElementText().trim().equals("0")) {
                        return null;
                    }
                    if (name.equals("timeSpan")) {
                        inSpan = true;
                    } else if (inSpan && name.equals("startTime")) {
                        String v = r.getElementText().trim();
                        try {
                            return OffsetDateTime.parse(v).toInstant();
                        } catch (DateTimeParseException ex) {
                            try {
                                return Instant.parse(v);
                            } catch (DateTimeParseException ex2) {
                                throw refused("a recording's startTime '" + (v.length() > 40 ? v.substring(0, 40) : v) + "' is not ISO-8601");
                            }
                        }
                    }
                }
            }
        } catch (XMLStreamException ex) {
            throw refused("the search result is not well-formed XML: " + ex.getMessage());
        }
        return null;
    }

    /**
     * The next event; a document type or an entity reference is refused: a recorder's answers have
     * none, and a parser that skips them would read a bomb's or an external entity's text as empty.
     */
    private static int next(XMLStreamReader r) throws XMLStreamException {
        int e = r.next();
        if (e == XMLStreamConstants.DTD || e == XMLStreamConstants.ENTITY_REFERENCE) {
            throw refused("a document type or entity in a recorder's answer is not taken");
        }
        return e;
    }

    private XMLStreamReader reader(byte[] body) {
        try {
            return xml.createXMLStreamReader(bounded(body));
        } catch (XMLStreamException e) {
            throw refused("not XML: " + e.getMessage());
        }
    }

    private static ByteArrayInputStream bounded(byte[] body) {
        if (body == null || body.length == 0) {
            throw refused("the recorder sent an empty answer");
        }
        if (body.length > MAX_BYTES) {
            throw new RejectedInputException(Reason.TOO_LARGE, "the recorder's answer is larger than " + MAX_BYTES + " bytes");
        }
        return new ByteArrayInputStream(body);
    }

    private static long number(String v) {
        try {
            return v == null ? -1 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static RejectedInputException refused(String why) {
        return new RejectedInputException(Reason.MALFORMED, why);
    }
}
