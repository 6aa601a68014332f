package org.campusedge.camel.nvr;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a video recorder said about itself in one poll.
 *
 * @param disks    its disks, as {@code /ISAPI/ContentMgmt/Storage/hdd} lists them
 * @param channels its channels, as {@code /ISAPI/System/workingstatus} gives them
 * @param oldest   per channel, the start of the oldest recording kept, when this poll searched for it
 *                 (not every poll does); a channel with no recording at all maps to null
 */
record RecorderStatus(List<Disk> disks, List<Channel> channels, Map<Integer, Instant> oldest) {

    RecorderStatus {
        disks = List.copyOf(disks);
        channels = List.copyOf(channels);
        oldest = oldest == null ? null : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(oldest));
    }

    /** One disk: its state in the recorder's words ({@code ok}, {@code error}, {@code smartFailed}, ...). */
    record Disk(String id, String name, String status, long capacityMb, long freeMb) {

        /**
         * Whether the disk records: the states in which a Hikvision recorder writes to it. Formatting is not one: it
         * erases what was kept.
         */
        boolean healthy() {
            return switch (status.toLowerCase(java.util.Locale.ROOT)) {
                case "ok", "idle", "sleeping" -> true;
                default -> false;
            };
        }
    }

    /** One channel (a camera recorded): whether it records now. */
    record Channel(int number, boolean online, boolean recording) {
    }
}
