package org.campusedge.camel.ingest;

/** Keeping what a device sent, or a reason, short enough for an answer, a log line or an attribute. */
public final class Text {

    /** Longest reason a device hears in an answer. */
    static final int ANSWER = 200;

    private Text() {
    }

    /** At most {@code max} characters, with "..." when cut; "" for null. */
    public static String shorten(String s, int max) {
        return s == null ? "" : s.length() > max ? s.substring(0, max) + "..." : s;
    }

    /** A reason as a device's answer carries it: one line, at most 200 characters; "" for null. */
    public static String answer(String s) {
        if (s == null) {
            return "";
        }
        String line = s.replace('\n', ' ').replace('\r', ' ');
        return line.length() > ANSWER ? line.substring(0, ANSWER) : line;
    }

    /** The message of the innermost cause (or its class name when it has none): what a person can act on. */
    public static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
