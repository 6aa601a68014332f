package org.campusedge.registry.internal;

import java.time.ZoneId;
import java.util.Objects;

/**
 * The school an inventory file describes.
 *
 * @param nameEn   the English name, or null
 * @param timezone where the school's schedules and local clocks are (Asia/Shanghai unless the file says)
 */
public record School(String id, String name, String nameEn, String district, int enrolment, ZoneId timezone) {

    /** The time zone an inventory gets when it names none. */
    public static final ZoneId DEFAULT_TIMEZONE = ZoneId.of("Asia/Shanghai");

    public School {
        Objects.requireNonNull(id, "id");
        timezone = timezone == null ? DEFAULT_TIMEZONE : timezone;
    }
}
