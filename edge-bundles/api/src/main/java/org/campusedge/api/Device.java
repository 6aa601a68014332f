package org.campusedge.api;

import java.util.Map;
import java.util.Objects;

/**
 * One device of a school's inventory.
 *
 * @param id         unique within the school, used in URIs (e.g. {@code /campus/lab/{id}})
 * @param schoolId   the school that owns it
 * @param profileId  the profile that describes its type
 * @param family     the device family of that profile (lab, camera, broadcast, energy, card)
 * @param location   where it is
 * @param address    how to reach it where the gateway connects out (URL, host:port), else null
 * @param properties further settings from the inventory, as strings
 * @param unprotected the inventory says the device cannot prove who it is ({@code security: none}: an
 *                    old lab kit that speaks only plain CoAP); the gateway then takes its data without
 *                    a credential, and the console lists it as unprotected
 */
public record Device(String id, String schoolId, String profileId, String family, Location location,
                     String address, Map<String, String> properties, boolean unprotected) {

    /** A device that proves who it is with its credential (the default). */
    public Device(String id, String schoolId, String profileId, String family, Location location, String address,
                  Map<String, String> properties) {
        this(id, schoolId, profileId, family, location, address, properties, false);
    }

    public Device {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(schoolId, "schoolId");
        Objects.requireNonNull(profileId, "profileId");
        Objects.requireNonNull(family, "family");
        location = location == null ? Location.UNKNOWN : location;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /**
     * The id of the credential the device proves itself with: its own, except for an energy meter
     * behind a shared OPC UA server (an energy-management server with many meters), whose
     * {@code credential} property names the server's credential, so that all its meters share one login.
     */
    public String credentialId() {
        return family.equals("energy") ? properties.getOrDefault("credential", id) : id;
    }
}
