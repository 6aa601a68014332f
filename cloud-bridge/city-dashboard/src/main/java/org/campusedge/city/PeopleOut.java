package org.campusedge.city;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the city keeps of an alarm message names roles, not people: a school's gateway of an older
 * release still sends who acknowledged an alarm ({@code data.by}, a staff login) and their free-text
 * note ({@code data.note}); the city drops both before it stores the message.
 */
final class PeopleOut {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PeopleOut() {
    }

    /** The alarm message's JSON without {@code data.by} and {@code data.note}; the same text when it has neither (or is not JSON). */
    static String scrub(String json) {
        if (json == null || !(json.contains("\"by\"") || json.contains("\"note\""))) {
            return json;
        }
        try {
            JsonNode root = JSON.readTree(json);
            if (root instanceof ObjectNode o && o.get("data") instanceof ObjectNode data
                    && (data.has("by") || data.has("note"))) {
                data.remove("by");
                data.remove("note");
                return JSON.writeValueAsString(root);
            }
            return json;
        } catch (JsonProcessingException e) {
            return json;
        }
    }
}
