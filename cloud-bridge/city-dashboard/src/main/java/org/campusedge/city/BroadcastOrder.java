package org.campusedge.city;

import java.time.Duration;
import java.util.List;

/**
 * A public-address broadcast the bureau orders (the {@code broadcast} command of CLOUD-MESSAGES.md).
 *
 * @param text     what to announce (text-to-speech), or null when a clip is played
 * @param clip     a clip the schools have, or null
 * @param zones    the PA zones; empty means {@code ["all"]}
 * @param priority 0-100 as the schools' PA controllers know it; 90 = emergency, which pre-empts bells and everything else
 * @param schools  the schools to send it to; empty means every school the dashboard knows
 * @param validFor how long it stands: a school that has not answered is tried again until then, and no school plays
 *                 it later (the signed command expires with it); null means {@link #DEFAULT_VALIDITY}
 */
public record BroadcastOrder(String text, String clip, List<String> zones, int priority, List<String> schools,
                             Duration validFor) {

    /** How long a broadcast stands unless the order says otherwise. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofMinutes(30);
    /** The longest a broadcast may stand. */
    public static final Duration MAX_VALIDITY = Duration.ofHours(24);

    /** The priority of an emergency notice (CLOUD-MESSAGES.md): pre-empts everything a school's PA plays. */
    public static final int EMERGENCY = 90;

    /** Checks the order and fills the defaults. */
    public BroadcastOrder {
        text = blankToNull(text);
        clip = blankToNull(clip);
        if (text != null && clip != null) {
            throw new IllegalArgumentException("a broadcast has a text or a clip, not both");
        }
        if (text == null && clip == null) {
            throw new IllegalArgumentException("a broadcast needs a text or a clip");
        }
        if (text != null && text.length() > 2000) {
            throw new IllegalArgumentException("the text is longer than 2000 characters");
        }
        if (priority < 0 || priority > 100) {
            throw new IllegalArgumentException("priority is 0-100 (90: emergency)");
        }
        validFor = validFor == null ? DEFAULT_VALIDITY : validFor;
        if (validFor.compareTo(Duration.ofSeconds(5)) < 0 || validFor.compareTo(MAX_VALIDITY) > 0) {
            throw new IllegalArgumentException("a broadcast stands for 5 seconds to 24 hours");
        }
        zones = zones == null || zones.isEmpty() ? List.of("all") : List.copyOf(zones);
        schools = schools == null ? List.of() : List.copyOf(schools);
    }

    /** As the canonical constructor, standing for {@link #DEFAULT_VALIDITY}. */
    public BroadcastOrder(String text, String clip, List<String> zones, int priority, List<String> schools) {
        this(text, clip, zones, priority, schools, null);
    }

    /** A city-wide text broadcast to all zones at emergency priority. */
    public static BroadcastOrder cityWide(String text) {
        return new BroadcastOrder(text, null, List.of(), EMERGENCY, List.of());
    }

    /** The same order, standing for {@code d}. */
    public BroadcastOrder standingFor(Duration d) {
        return new BroadcastOrder(text, clip, zones, priority, schools, d);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
