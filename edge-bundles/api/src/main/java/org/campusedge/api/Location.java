package org.campusedge.api;

/**
 * Where a device sits on the campus, as the school inventory describes it. Any part may be null
 * when the inventory does not say.
 */
public record Location(String building, String floor, String room, String zone) {

    /** A location the inventory says nothing about. */
    public static final Location UNKNOWN = new Location(null, null, null, null);

    /** "building/floor/room/zone" with empty parts left out, for logs and the console. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (String part : new String[] {building, floor, room, zone}) {
            if (part != null && !part.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append('/');
                }
                sb.append(part);
            }
        }
        return sb.toString();
    }
}
