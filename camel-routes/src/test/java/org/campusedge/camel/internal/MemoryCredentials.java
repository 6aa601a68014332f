package org.campusedge.camel.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.campusedge.api.DeviceCredentials;

/** Credentials held in memory (the file-backed service is tested in the registry and the system tests). */
final class MemoryCredentials implements DeviceCredentials {
    final Map<String, Secret> map = new ConcurrentHashMap<>();
    final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Sets (or with null removes) a credential and tells the listeners, as the secrets file's reload does. */
    void put(String id, String value) {
        if (value == null) {
            map.remove(id);
        } else {
            map.put(id, new Secret(value, Instant.now()));
        }
        listeners.forEach(l -> l.credentialsChanged(Set.of(id)));
    }

    @Override
    public Optional<Secret> secret(String deviceId) {
        return Optional.ofNullable(map.get(deviceId));
    }

    @Override
    public Set<String> devices() {
        return map.keySet();
    }

    @Override
    public AutoCloseable addListener(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
