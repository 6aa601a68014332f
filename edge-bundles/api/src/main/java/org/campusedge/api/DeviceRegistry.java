package org.campusedge.api;

import java.time.ZoneId;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The school's devices and the profiles that describe them, as loaded and validated from
 * {@code device-profiles/}. A bad file never replaces the last good one.
 */
public interface DeviceRegistry {

    /** The school this gateway serves. */
    String schoolId();

    /** The school as its inventory describes it (name, district, enrolment). */
    default SchoolInfo school() {
        return new SchoolInfo(schoolId(), null, null, null, 0);
    }

    /** The school's time zone, for device clocks that give no offset and for schedules. */
    default ZoneId timezone() {
        return ZoneId.of("Asia/Shanghai");
    }

    Optional<Device> device(String deviceId);

    Collection<Device> devices();

    Optional<Profile> profile(String profileId);

    Collection<Profile> profiles();

    /** Problems found in the last load (file, field, reason), empty when all files were good. */
    List<String> loadErrors();

    /** Counts the good loads; it goes up each time a reload replaces what is in force. */
    long generation();

    /** Registers a listener for reloads; close the returned handle to remove it. */
    AutoCloseable addListener(Listener listener);

    /** Told after a reload put a new inventory or new profiles in force. */
    @FunctionalInterface
    interface Listener {
        void registryChanged(DeviceRegistry registry);
    }
}
