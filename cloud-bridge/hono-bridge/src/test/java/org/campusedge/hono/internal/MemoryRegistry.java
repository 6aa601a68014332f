package org.campusedge.hono.internal;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Location;
import org.campusedge.api.Profile;
import org.campusedge.api.SchoolInfo;

/** A fixed inventory in memory for the bridge's tests. */
record MemoryRegistry(List<Device> list) implements DeviceRegistry {

    static final String SCHOOL = "sch-t";

    static Device device(String id, String family, String building) {
        return new Device(id, SCHOOL, family + "-profile", family, new Location(building, null, null, null), null, null);
    }

    @Override
    public String schoolId() {
        return SCHOOL;
    }

    @Override
    public SchoolInfo school() {
        return new SchoolInfo(SCHOOL, "测试学校", "Test School", "江城区", 1200);
    }

    @Override
    public Optional<Device> device(String deviceId) {
        return list.stream().filter(d -> d.id().equals(deviceId)).findFirst();
    }

    @Override
    public Collection<Device> devices() {
        return list;
    }

    @Override
    public Optional<Profile> profile(String profileId) {
        return Optional.empty();
    }

    @Override
    public Collection<Profile> profiles() {
        return List.of();
    }

    @Override
    public List<String> loadErrors() {
        return List.of();
    }

    @Override
    public long generation() {
        return 1;
    }

    @Override
    public AutoCloseable addListener(Listener listener) {
        return () -> { };
    }
}
