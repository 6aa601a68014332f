package org.campusedge.store.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Location;

/**
 * The writer's map from what an event says about its device to that row of the {@code devices}
 * table, adding a row the first time a device (or a changed location of it) is seen. Used only on
 * the writer thread; after a failed transaction the writer has it re-read the table.
 */
final class DeviceRefs {

    /** Everything the devices table holds about a device at one time. */
    private record Key(String deviceId, String schoolId, String profileId, String building, String floor, String room,
                       String zone) {
        static Key of(CampusEvent e) {
            Location l = e.location();
            return new Key(e.deviceId(), e.schoolId(), e.profileId(), l.building(), l.floor(), l.room(), l.zone());
        }
    }

    private final Map<Key, Long> refs = new HashMap<>();
    private final PreparedStatement insert;

    DeviceRefs(Connection c) throws SQLException {
        reload(c);
        insert = c.prepareStatement("INSERT INTO devices(device_id, school_id, profile_id, building, floor, room, zone)"
                + " VALUES (?,?,?,?,?,?,?)", Statement.RETURN_GENERATED_KEYS);
    }

    /** Reads the table again: after a failed transaction only what is really there may be cached. */
    void reload(Connection c) throws SQLException {
        refs.clear();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT ref, device_id, school_id, profile_id, building, floor, room, zone"
                     + " FROM devices ORDER BY ref")) {
            while (rs.next()) {
                refs.put(new Key(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        rs.getString(7), rs.getString(8)), rs.getLong(1));
            }
        }
    }

    /** The ref of the event's device details, inserting them in the current transaction if new. */
    long refOf(CampusEvent e) throws SQLException {
        Key k = Key.of(e);
        Long ref = refs.get(k);
        if (ref != null) {
            return ref;
        }
        insert.setString(1, k.deviceId());
        insert.setString(2, k.schoolId());
        EventTable.setNullable(insert, 3, k.profileId());
        EventTable.setNullable(insert, 4, k.building());
        EventTable.setNullable(insert, 5, k.floor());
        EventTable.setNullable(insert, 6, k.room());
        EventTable.setNullable(insert, 7, k.zone());
        insert.executeUpdate();
        long id;
        try (ResultSet keys = insert.getGeneratedKeys()) {
            keys.next();
            id = keys.getLong(1);
        }
        refs.put(k, id);
        return id;
    }

}
