package org.campusedge.api;

/** How urgently a person should look at an event; ordered from least to most urgent. */
public enum Severity {
    INFO, NOTICE, WARNING, CRITICAL;

    /** Parses a severity name case-insensitively; throws IllegalArgumentException naming the bad value. */
    public static Severity parse(String name) {
        for (Severity s : values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown severity '" + name + "' (expected INFO, NOTICE, WARNING or CRITICAL)");
    }
}
