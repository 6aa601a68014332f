package org.campusedge.camel.camera;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.HashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.campusedge.api.RejectedInputException;
import org.campusedge.api.RejectedInputException.Reason;
import org.campusedge.camel.ingest.Text;

/**
 * Reads a camera's ISAPI {@code EventNotificationAlert} in XML or JSON into a {@link CameraAlert}.
 *
 * <p>The XML reader is StAX with DTDs and external entities switched off, and it refuses any
 * document that has a DOCTYPE at all: an alarm document never needs one, and refusing it closes
 * XXE, entity expansion ("billion laughs") and external DTD fetches in one rule, whatever the JDK's
 * defaults are. Element names are matched without their namespace (cameras send ver10 and ver20).
 */
public final class IsapiAlertParser {

    private static final int MAX_DEPTH = 16;
    private static final int MAX_TEXT = 2048;
    /** Fields whose JSON type is checked: the rest are read as text whatever their scalar type. */
    private static final Set<String> STRING_FIELDS = Set.of("eventType", "eventState", "dateTime");

    private final XMLInputFactory xml;
    private final JsonFactory json;

    public IsapiAlertParser() {
        xml = XMLInputFactory.newFactory();
        xml.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        xml.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        xml.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        trySet(xml, XMLConstants.ACCESS_EXTERNAL_DTD, "");
        json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                        .maxStringLength(MAX_TEXT).maxNumberLength(32).build())
                .build();
    }

    private static void trySet(XMLInputFactory f, String property, Object value) {
        try {
            f.setProperty(property, value);
        } catch (IllegalArgumentException e) {
            // not every StAX implementation knows the JAXP property; the DOCTYPE refusal below covers it
        }
    }

    /**
     * The declared content type decides the parser, never the body: a body is not taken as JSON
     * because it starts with '{'. A type that is neither XML nor JSON (text/plain, a form, none at
     * all) is refused, so no web page can post an alarm with a plain HTML form.
     */
    public CameraAlert parse(byte[] body, String contentType) {
        String type = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
        boolean isJson = type.startsWith("application/json");
        boolean isXml = type.startsWith("application/xml") || type.startsWith("text/xml");
        if (!isJson && !isXml) {
            throw new RejectedInputException(Reason.UNSUPPORTED, "content type '" + Text.shorten(String.valueOf(contentType), 120)
                    + "' is not XML (application/xml, text/xml) or JSON (application/json)");
        }
        if (body == null || body.length == 0) {
            throw new RejectedInputException(Reason.MALFORMED, "empty body; expected an EventNotificationAlert");
        }
        return isJson ? parseJson(body) : parseXml(body);
    }

    CameraAlert parseXml(byte[] body) {
        Map<String, String> fields = new HashMap<>();
        XMLStreamReader r = null;
        try {
            r = xml.createXMLStreamReader(new ByteArrayInputStream(body));
            int depth = 0;
            String root = null;
            StringBuilder text = new StringBuilder();
            String current = null;
            ArrayDeque<String> path = new ArrayDeque<>();
            while (r.hasNext()) {
                int ev = r.next();
                switch (ev) {
                    case XMLStreamConstants.DTD -> throw new RejectedInputException(Reason.MALFORMED,
                            "DOCTYPE declarations are not accepted in alarm documents");
                    case XMLStreamConstants.ENTITY_REFERENCE -> throw new RejectedInputException(Reason.MALFORMED,
                            "entity reference &" + Text.shorten(r.getLocalName(), 120) + "; is not accepted");
                    case XMLStreamConstants.START_ELEMENT -> {
                        if (++depth > MAX_DEPTH) {
                            throw new RejectedInputException(Reason.MALFORMED, "elements nested deeper than " + MAX_DEPTH);
                        }
                        if (root == null) {
                            root = r.getLocalName();
                            if (!root.equals("EventNotificationAlert")) {
                                throw new RejectedInputException(Reason.MALFORMED, "root element is <" + Text.shorten(root, 120)
                                        + ">, expected <EventNotificationAlert>");
                            }
                        }
                        path.push(r.getLocalName());
                        current = r.getLocalName();
                        text.setLength(0);
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                        if (text.length() + r.getTextLength() > MAX_TEXT) {
                            throw new RejectedInputException(Reason.MALFORMED, "text of <" + current + "> is over "
                                    + MAX_TEXT + " characters");
                        }
                        text.append(r.getTextCharacters(), r.getTextStart(), r.getTextLength());
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        String name = path.pop();
                        // direct children of the root, plus the first region of the detection list
                        if (depth == 2 || (name.equals("regionID") && !fields.containsKey("regionID"))) {
                            fields.putIfAbsent(name, text.toString().trim());
                        }
                        text.setLength(0);
                        depth--;
                    }
                    default -> {
                    }
                }
            }
            if (root == null) {
                throw new RejectedInputException(Reason.MALFORMED, "no XML element found");
            }
        } catch (XMLStreamException e) {
            throw new RejectedInputException(Reason.MALFORMED, "not well-formed XML: " + firstLine(e.getMessage()));
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing held but memory
                }
            }
        }
        return alert(fields);
    }

    CameraAlert parseJson(byte[] body) {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new RejectedInputException(Reason.MALFORMED, "JSON alert must be an object");
            }
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
                if (t == null) {
                    throw new RejectedInputException(Reason.MALFORMED, "JSON ends before the alert object closes");
                }
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (STRING_FIELDS.contains(name) && value != JsonToken.VALUE_STRING) {
                    throw new RejectedInputException(Reason.MALFORMED, name + " must be a string");
                }
                if (value.isScalarValue()) {
                    if (value != JsonToken.VALUE_NULL) {
                        fields.putIfAbsent(name, p.getValueAsString("").trim());
                    }
                } else if (name.equals("DetectionRegionList") || name.equals("EventNotificationAlert")) {
                    collectNested(p, fields); // regions, or an alert wrapped in its own name as some firmware does
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new RejectedInputException(Reason.MALFORMED, "content after the JSON alert object");
            }
        } catch (IOException e) {
            throw new RejectedInputException(Reason.MALFORMED, "not valid JSON: " + firstLine(e.getMessage()));
        }
        return alert(fields);
    }

    /** Scalars of a nested object or array of objects: the alert's own fields first-come, regionID from the first region. */
    private static void collectNested(JsonParser p, Map<String, String> fields) throws IOException {
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new RejectedInputException(Reason.MALFORMED, "JSON ends inside an object");
            }
            if (t.isStructStart()) {
                depth++;
            } else if (t.isStructEnd()) {
                depth--;
            } else if (t.isScalarValue() && t != JsonToken.VALUE_NULL && p.currentName() != null) {
                fields.putIfAbsent(p.currentName(), p.getValueAsString("").trim());
            }
        }
    }

    private static CameraAlert alert(Map<String, String> f) {
        String type = f.get("eventType");
        if (type == null || type.isEmpty()) {
            throw new RejectedInputException(Reason.MALFORMED, "eventType is missing");
        }
        String state = f.getOrDefault("eventState", "active");
        if (!state.equals("active") && !state.equals("inactive")) {
            throw new RejectedInputException(Reason.MALFORMED, "eventState '" + Text.shorten(state, 120)
                    + "' is neither active nor inactive");
        }
        String channel = f.containsKey("channelID") ? f.get("channelID") : f.get("dynChannelID");
        String snapshot = firstOf(f, "snapshotUrl", "bkgUrl", "picUrl");
        return new CameraAlert(type, state, f.get("dateTime"), channel, f.get("regionID"), f.get("activePostCount"),
                f.get("ipAddress"), f.get("macAddress"), f.get("eventDescription"), snapshot);
    }

    private static String firstOf(Map<String, String> f, String... names) {
        for (String n : names) {
            String v = f.get(n);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return Text.shorten(nl < 0 ? s : s.substring(0, nl), 120);
    }

}
