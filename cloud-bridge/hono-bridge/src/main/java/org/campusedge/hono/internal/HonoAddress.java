package org.campusedge.hono.internal;

/**
 * Where a queued message goes in Hono: telemetry or event, of the gateway itself ({@code telemetry},
 * {@code event}) or of one of its devices ({@code event//DEVICE}, sent by the gateway on its behalf).
 * A school's device is known to Hono as {@code <school id>.<device id>}, because device ids are unique
 * within a Hono tenant and two schools may both have a {@code cam-gate-1}.
 *
 * @param event    true for Hono's event endpoint, false for telemetry
 * @param deviceId the Hono device id the gateway acts for, or null for the gateway itself
 */
record HonoAddress(boolean event, String deviceId) {

    static HonoAddress parse(String address) {
        int sep = address.indexOf("//");
        String endpoint = sep < 0 ? address : address.substring(0, sep);
        String device = sep < 0 ? null : address.substring(sep + 2);
        boolean event = switch (endpoint) {
            case "event" -> true;
            case "telemetry" -> false;
            default -> throw new IllegalArgumentException("not a Hono address: " + address);
        };
        if (device != null && (device.isEmpty() || device.contains("/"))) {
            throw new IllegalArgumentException("not a Hono device in " + address);
        }
        return new HonoAddress(event, device);
    }

    /** The address of an event about a school's device (or of the gateway itself when deviceId is null). */
    static String eventFor(String schoolId, String deviceId) {
        return deviceId == null ? "event" : "event//" + honoDeviceId(schoolId, deviceId);
    }

    static String honoDeviceId(String schoolId, String deviceId) {
        return schoolId + "." + deviceId;
    }
}
