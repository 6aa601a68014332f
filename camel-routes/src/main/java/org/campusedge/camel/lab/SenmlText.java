package org.campusedge.camel.lab;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;

/**
 * Character-level checks and the wording of rejection reasons for {@link SenmlParser}. Everything
 * that builds a reason runs on the error path only; the checks run once per record and allocate
 * nothing.
 */
final class SenmlText {

    /** Longest piece of device input echoed in a reason. */
    static final int ECHO_LIMIT = 40;

    private static final int JACKSON_MESSAGE_LIMIT = 100;

    private SenmlText() {
    }

    /**
     * Index of the first character that makes {@code name} an invalid SenML name (RFC 8428 4.5.1:
     * {@code [A-Za-z0-9][A-Za-z0-9:./_-]*}), or -1 if it is valid. An empty name is invalid at 0.
     */
    static int invalidNameChar(String name) {
        int len = name.length();
        if (len == 0) {
            return 0;
        }
        if (!isAlnum(name.charAt(0))) {
            return 0;
        }
        for (int i = 1; i < len; i++) {
            char c = name.charAt(i);
            if (!isAlnum(c) && c != '-' && c != ':' && c != '.' && c != '/' && c != '_') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether {@code s} is base64url (RFC 4648 section 5). RFC 8428 says padding is omitted; correct
     * padding ({@code =} up to a multiple of four) is tolerated.
     */
    static boolean isBase64Url(String s) {
        int len = s.length();
        int end = len;
        while (end > 0 && len - end < 2 && s.charAt(end - 1) == '=') {
            end--;
        }
        if ((end < len && len % 4 != 0) || end % 4 == 1) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '-' && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** JSON kind of the token a field held, for "found ..." in reasons. */
    static String kind(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** {@code s} quoted, on one line, cut to {@value #ECHO_LIMIT} characters. */
    static String echo(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), ECHO_LIMIT) + 5).append('\'');
        appendClean(b, s, 0, Math.min(s.length(), ECHO_LIMIT));
        if (s.length() > ECHO_LIMIT) {
            b.append("...");
        }
        return b.append('\'').toString();
    }

    /** One character for a reason: quoted if printable ASCII, else its code point. */
    static String describeChar(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    /** A Jackson parse failure as one short line: what went wrong and the byte offset. */
    static String describe(JsonProcessingException e) {
        String msg = e.getOriginalMessage();
        if (msg == null) {
            msg = e.getClass().getSimpleName();
        }
        if (e instanceof JsonEOFException || msg.startsWith("Unexpected end-of-input")) {
            return "truncated JSON (unexpected end of input)";
        }
        int noise = msg.indexOf(": was expecting ("); // Jackson's list of every acceptable token
        if (noise > 0) {
            msg = msg.substring(0, noise);
        }
        StringBuilder b = new StringBuilder(JACKSON_MESSAGE_LIMIT + 40).append("invalid JSON: ");
        int quoted = -1; // characters seen inside the current quotes, -1 outside
        char quote = 0;
        int kept = 0;
        for (int i = 0; i < msg.length() && kept < JACKSON_MESSAGE_LIMIT; i++) {
            char c = msg.charAt(i);
            if (c == '\n' || c == '\r') {
                break; // Jackson adds context on further lines
            }
            if (quoted < 0 && (c == '\'' || c == '"')) {
                quoted = 0;
                quote = c;
            } else if (quoted >= 0 && c == quote) {
                quoted = -1;
            } else if (quoted >= 0 && ++quoted > ECHO_LIMIT) {
                if (quoted == ECHO_LIMIT + 1) {
                    b.append("...");
                }
                continue;
            }
            appendClean(b, msg, i, i + 1);
            kept++;
        }
        if (kept == JACKSON_MESSAGE_LIMIT) {
            b.append("...");
        }
        JsonLocation loc = e.getLocation();
        if (loc != null) {
            long offset = loc.getByteOffset() >= 0 ? loc.getByteOffset() : loc.getCharOffset();
            if (offset >= 0) {
                b.append(" at offset ").append(offset);
            }
        }
        return b.toString();
    }

    private static void appendClean(StringBuilder b, String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
    }
}
