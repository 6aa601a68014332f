package org.campusedge.api;

import java.util.Objects;

/**
 * The school a gateway serves, as its inventory names it: what the city sees of it.
 *
 * @param name      the school's name (Chinese), never null (the id when the inventory gives none)
 * @param nameEn    the English name, or null
 * @param district  the district the school belongs to, or null
 * @param enrolment number of students, or 0 when the inventory does not say
 */
public record SchoolInfo(String id, String name, String nameEn, String district, int enrolment) {

    public SchoolInfo {
        Objects.requireNonNull(id, "id");
        name = name == null || name.isBlank() ? id : name;
    }
}
