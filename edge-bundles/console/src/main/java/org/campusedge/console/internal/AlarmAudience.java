package org.campusedge.console.internal;

import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Families;
import org.campusedge.api.Severity;

/**
 * Whom an alarm is for on the console, from the family of the device it is about: a lab kit's alarm
 * is the lab's (its teachers and the admin), a meter's is the facilities' (the admin), and everything
 * else — cameras, card readers, the PA, the gateway itself and devices no longer in the inventory — is
 * security's. A CRITICAL alarm is everyone's who watches alarms: a lab's CO2 alarm at night has no
 * teacher in the room, so the guard sees it too. The admin sees every alarm.
 */
enum AlarmAudience {
    SECURITY, LAB, FACILITIES;

    static AlarmAudience of(String deviceId, DeviceRegistry registry) {
        String family = deviceId == null ? null : registry.device(deviceId).map(Device::family).orElse(null);
        if (family == null) {
            return SECURITY;
        }
        return switch (family) {
            case Families.LAB -> LAB;
            case Families.ENERGY -> FACILITIES;
            default -> SECURITY;
        };
    }

    /** Whether a role sees (and, when it may act, acts on) an alarm of this audience and severity. */
    boolean seenBy(Users.Role role, Severity severity) {
        return switch (role) {
            case ADMIN -> true;
            case SECURITY, WALL_SCREEN -> this == SECURITY || severity == Severity.CRITICAL;
            case TEACHER -> this == LAB;
        };
    }
}
