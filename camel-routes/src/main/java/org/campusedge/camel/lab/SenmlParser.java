package org.campusedge.camel.lab;

import static org.campusedge.camel.lab.SenmlText.echo;
import static org.campusedge.camel.lab.SenmlText.kind;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.campusedge.api.Measurement;
import org.campusedge.api.RejectedInputException;
import org.campusedge.api.RejectedInputException.Reason;
import org.campusedge.api.json.EventCodec;

/**
 * Parses a SenML JSON pack (RFC 8428) into resolved records; one pass with Jackson streaming, no
 * databind.
 *
 * <p>Base fields ({@code bn bt bu bv bs bver}) apply to the record that carries them and to every
 * later record until changed. A resolved time below 2<sup>28</sup> is relative to {@code now}; a
 * record without a time is "now". Any fault refuses the whole pack with a one-line reason that
 * names the record (1-based) and the field. Instances are immutable and safe to share.
 */
public final class SenmlParser {

    /** Resolved times below this many seconds are relative to now (RFC 8428 4.5.3). */
    static final double RELATIVE_TIME_LIMIT = 268_435_456d; // 2^28

    /** Highest SenML version understood (RFC 8428 is version 10). */
    static final int SUPPORTED_VERSION = 10;

    /** Times further than this from the epoch (or from now, if relative) are refused: year 9999. */
    static final double MAX_TIME_SECONDS = 253_402_300_799d;

    /**
     * Jackson's own duplicate detection ({@code STRICT_DUPLICATE_DETECTION}) is off: it allocated a
     * hash set for every record of three fields or more, a twelfth of what the lab ingest path
     * allocated. A record's fields are checked here instead, known ones by a bit each.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    private final int maxRecords;

    /** @param maxRecords packs with more records are refused with {@link Reason#TOO_LARGE} */
    public SenmlParser(int maxRecords) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
        }
        this.maxRecords = maxRecords;
    }

    /**
     * The pack's records, resolved, in pack order (unmodifiable).
     *
     * @throws RejectedInputException {@link Reason#MALFORMED} with a one-line reason, or
     *         {@link Reason#TOO_LARGE} when the pack has more than {@code maxRecords} records
     */
    public List<Measurement> parse(byte[] json, Instant now) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(now, "now");
        Pack pack = new Pack(now, maxRecords, json.length);
        try (JsonParser p = FACTORY.createParser(json)) {
            return pack.read(p);
        } catch (JsonProcessingException e) {
            throw malformed(pack.trailer ? "trailing content after the pack" : pack.where() + SenmlText.describe(e));
        } catch (IOException e) {
            throw malformed(pack.where() + "unreadable input");
        }
    }

    /** The fields a record may carry, in the order of their bits for the duplicate check. */
    private static final List<String> FIELDS = List.of("n", "u", "t", "v", "vs", "vb", "vd", "s", "ut", "bn", "bt", "bu", "bv", "bs", "bver");

    /** The field's bit for the duplicate check, or 0 for a field SenML does not define here. */
    private static int bitOf(String field) {
        int i = FIELDS.indexOf(field);
        return i < 0 ? 0 : 1 << i;
    }

    static RejectedInputException malformed(String reason) {
        return new RejectedInputException(Reason.MALFORMED, reason);
    }

    /** The state of one parse: base values in force, the record being read, the output. */
    private static final class Pack {
        private final Instant now;
        private final int maxRecords;
        private final List<Measurement> out;
        private int index;          // 1-based number of the record being read, 0 before the first
        private boolean inRecord;
        private boolean trailer;    // past the closing bracket
        private String bn;
        private String bu;
        private double bt;
        private double bv;
        private boolean hasBv;
        private double bs;
        private boolean hasBs;

        Pack(Instant now, int maxRecords, int payloadBytes) {
            this.now = now;
            this.maxRecords = maxRecords;
            this.out = new ArrayList<>(Math.min(maxRecords, Math.max(4, payloadBytes / 32)));
        }

        String where() {
            return inRecord ? "record " + index + ": " : "";
        }

        List<Measurement> read(JsonParser p) throws IOException {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw malformed("empty payload, expected a SenML JSON array");
            }
            if (t != JsonToken.START_ARRAY) {
                throw malformed("pack must be a JSON array, found " + kind(t));
            }
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw malformed("truncated JSON (unexpected end of input)");
                }
                if (++index > maxRecords) {
                    throw new RejectedInputException(Reason.TOO_LARGE, "pack has more than " + maxRecords + " records");
                }
                inRecord = true;
                if (t != JsonToken.START_OBJECT) {
                    throw malformed(where() + "must be an object, found " + kind(t));
                }
                out.add(readRecord(p));
                inRecord = false;
            }
            if (index == 0) {
                throw malformed("pack is empty");
            }
            trailer = true;
            if (p.nextToken() != null) {
                throw malformed("trailing content after the pack");
            }
            return Collections.unmodifiableList(out);
        }

        private Measurement readRecord(JsonParser p) throws IOException {
            String n = null;
            String u = null;
            String vs = null;
            String vd = null;
            Boolean vb = null;
            double t = 0;
            double v = 0;
            double s = 0;
            boolean hasV = false;
            boolean hasS = false;
            String valueField = null; // the value field seen, at most one allowed
            int seen = 0; // a bit per known field (FIELDS) already in this record
            java.util.Set<String> others = null; // the unknown fields seen, made at the first one
            JsonToken tok;
            while ((tok = p.nextToken()) == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                int bit = bitOf(f);
                if (bit != 0) {
                    if ((seen & bit) != 0) {
                        throw duplicate(f);
                    }
                    seen |= bit;
                } else {
                    if (others == null) {
                        others = new java.util.HashSet<>(4);
                    }
                    if (!others.add(f)) {
                        throw duplicate(f);
                    }
                }
                tok = p.nextToken();
                switch (f) {
                    case "n" -> n = string(p, tok, f);
                    case "u" -> u = string(p, tok, f);
                    case "t" -> t = number(p, tok, f);
                    case "v" -> {
                        valueField = oneValue(valueField, f);
                        v = number(p, tok, f);
                        hasV = true;
                    }
                    case "vs" -> {
                        valueField = oneValue(valueField, f);
                        vs = string(p, tok, f);
                    }
                    case "vb" -> {
                        valueField = oneValue(valueField, f);
                        vb = bool(tok, f);
                    }
                    case "vd" -> {
                        valueField = oneValue(valueField, f);
                        vd = data(p, tok, f);
                    }
                    case "s" -> {
                        s = number(p, tok, f);
                        hasS = true;
                    }
                    case "ut" -> number(p, tok, f); // update time: checked, not carried
                    case "bn" -> bn = string(p, tok, f);
                    case "bt" -> bt = number(p, tok, f);
                    case "bu" -> bu = string(p, tok, f);
                    case "bv" -> {
                        bv = number(p, tok, f);
                        hasBv = true;
                    }
                    case "bs" -> {
                        bs = number(p, tok, f);
                        hasBs = true;
                    }
                    case "bver" -> version(p, tok);
                    default -> unknown(tok, f);
                }
            }
            if (tok != JsonToken.END_OBJECT) { // Jackson reports broken JSON itself; defensive
                throw malformed(where() + "unexpected " + kind(tok));
            }
            if (valueField == null && !hasS && !hasBs) {
                throw malformed(where() + "no value ('v', 'vs', 'vb' or 'vd') and no sum");
            }
            Double value = hasV ? finite(hasBv ? bv + v : v, "v") : null;
            Double sum = hasS || hasBs ? finite(hasBs ? bs + s : s, "s") : null;
            return new Measurement(name(n), u != null ? u : bu, value, vs, vb, vd, sum, time(bt + t));
        }

        private RejectedInputException duplicate(String field) {
            return malformed(where() + "duplicate field " + echo(field));
        }

        private String name(String n) {
            String name;
            if (bn == null || bn.isEmpty()) {
                if (n == null) {
                    throw malformed(where() + (bn == null ? "missing name" : "empty name"));
                }
                name = n;
            } else {
                name = n == null ? bn : bn.concat(n);
            }
            int bad = SenmlText.invalidNameChar(name);
            if (bad >= 0) {
                throw malformed(name.isEmpty() ? where() + "empty name"
                        : where() + "invalid character " + SenmlText.describeChar(name.charAt(bad)) + " in name " + echo(name));
            }
            return name;
        }

        private Instant time(double seconds) {
            if (seconds == 0) {
                return now;
            }
            if (!(Math.abs(seconds) <= MAX_TIME_SECONDS)) { // also catches NaN/infinite sums
                throw malformed(where() + "time out of range");
            }
            Instant at = EventCodec.fromSeconds(seconds);
            if (seconds >= RELATIVE_TIME_LIMIT) {
                return at;
            }
            try {
                return now.plusSeconds(at.getEpochSecond()).plusNanos(at.getNano());
            } catch (DateTimeException | ArithmeticException e) {
                throw malformed(where() + "time out of range");
            }
        }

        private Double finite(double d, String field) {
            if (!Double.isFinite(d)) {
                throw malformed(where() + "'" + field + "' plus 'b" + field + "' is not a finite number");
            }
            return d;
        }

        private String oneValue(String seen, String field) {
            if (seen != null) {
                throw malformed(where() + "has both '" + seen + "' and '" + field + "', a record carries one value");
            }
            return field;
        }

        private String string(JsonParser p, JsonToken tok, String field) throws IOException {
            if (tok != JsonToken.VALUE_STRING) {
                throw wrongType(field, "a string", tok);
            }
            return p.getText();
        }

        private double number(JsonParser p, JsonToken tok, String field) throws IOException {
            if (tok != JsonToken.VALUE_NUMBER_INT && tok != JsonToken.VALUE_NUMBER_FLOAT) {
                throw wrongType(field, "a number", tok);
            }
            double d = p.getDoubleValue();
            if (!Double.isFinite(d)) {
                throw malformed(where() + "'" + field + "' must be a finite number");
            }
            return d;
        }

        private Boolean bool(JsonToken tok, String field) {
            if (tok == JsonToken.VALUE_TRUE) {
                return Boolean.TRUE;
            }
            if (tok == JsonToken.VALUE_FALSE) {
                return Boolean.FALSE;
            }
            throw wrongType(field, "a boolean", tok);
        }

        private String data(JsonParser p, JsonToken tok, String field) throws IOException {
            String d = string(p, tok, field);
            if (!SenmlText.isBase64Url(d)) {
                throw malformed(where() + "'" + field + "' must be base64url data, found " + echo(d));
            }
            return d;
        }

        private void version(JsonParser p, JsonToken tok) throws IOException {
            if (tok != JsonToken.VALUE_NUMBER_INT) {
                throw malformed(where() + "'bver' must be a positive integer, found "
                        + (tok == JsonToken.VALUE_NUMBER_FLOAT ? echo(p.getText()) : kind(tok)));
            }
            if (p.getNumberType() != JsonParser.NumberType.INT) {
                throw malformed("unsupported SenML version " + echo(p.getText()));
            }
            int version = p.getIntValue();
            if (version < 1) {
                throw malformed(where() + "'bver' must be a positive integer, found " + version);
            }
            if (version > SUPPORTED_VERSION) {
                throw malformed("unsupported SenML version " + version);
            }
        }

        private void unknown(JsonToken tok, String field) {
            if (tok == JsonToken.START_OBJECT || tok == JsonToken.START_ARRAY) {
                throw malformed(where() + "field " + echo(field) + " holds an " + kind(tok) + ", records are flat");
            }
            if (!field.isEmpty() && field.charAt(field.length() - 1) == '_') {
                throw malformed(where() + "unsupported must-understand field " + echo(field));
            }
        }

        private RejectedInputException wrongType(String field, String expected, JsonToken found) {
            return malformed(where() + "'" + field + "' must be " + expected + ", found " + kind(found));
        }
    }
}
