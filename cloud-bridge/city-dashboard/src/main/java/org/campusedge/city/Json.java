package org.campusedge.city;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The dashboard's JSON: one mapper, a request body read as JSON, an error answer's body. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** A request body as JSON (an empty object when there is none); not JSON is an {@link IllegalArgumentException} (400). */
    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON");
        }
    }

    static ObjectNode error(String message) {
        return MAPPER.createObjectNode().put("error", message);
    }
}
