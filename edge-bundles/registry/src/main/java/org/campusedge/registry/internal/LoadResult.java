package org.campusedge.registry.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.campusedge.api.Device;
import org.campusedge.api.Profile;

/**
 * What one load of the profiles directory and the inventory produced: the valid profiles and
 * devices, and every problem found as "FILE: FIELD: REASON". Only a result without errors is
 * put in force by the registry; the valid parts of a failed one are there for tools and tests.
 *
 * @param school   the inventory's school, or null when the inventory could not be read
 * @param profiles by profile id, in file-name order
 * @param devices  by device id, in inventory order
 */
public record LoadResult(School school, Map<String, Profile> profiles, Map<String, Device> devices,
                         List<String> errors) {

    /** What the registry holds before anything good was loaded. */
    public static final LoadResult EMPTY = new LoadResult(null, Map.of(), Map.of(), List.of());

    public LoadResult {
        profiles = Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
        devices = Collections.unmodifiableMap(new LinkedHashMap<>(devices));
        errors = List.copyOf(errors);
    }

    /** True when no problem was found. */
    public boolean ok() {
        return errors.isEmpty();
    }

    /** The school id, or "" when there is no school (nothing good loaded yet). */
    public String schoolId() {
        return school == null ? "" : school.id();
    }
}
