package org.campusedge.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The sandbox's device registry and credentials: tenants, their gateways (with the devices each
 * may act for, Hono's {@code via}), their self-connecting devices, and the northbound login.
 * <p>
 * Immutable. Build it with {@link #builder()} or read it with {@link #load(Path)}. In a gateway's
 * device list an entry ending in {@code *} is a prefix pattern ({@code cam-*}); this is a sandbox
 * convenience, real Hono registers every device with its {@code via} gateways.
 */
public final class Registry {

    /**
     * A tenant.
     *
     * @param id       tenant id
     * @param enabled  a disabled tenant's devices cannot connect
     * @param gateways gateways by id
     * @param devices  self-connecting devices by id
     */
    public record Tenant(String id, boolean enabled, Map<String, Gateway> gateways, Map<String, Device> devices) {
    }

    /**
     * A gateway: it may connect and act for the devices matching {@code devices} (and itself).
     *
     * @param id       gateway (device) id, the {@code auth-id} of its login
     * @param password its password
     * @param devices  device ids or prefix patterns ending in {@code *}
     */
    public record Gateway(String id, String password, List<String> devices) {

        /**
         * @param deviceId a device id
         * @return whether this gateway may act for the device (always true for itself)
         */
        public boolean mayActFor(final String deviceId) {
            if (id.equals(deviceId)) {
                return true;
            }
            for (final String pattern : devices) {
                if (pattern.endsWith("*")
                        ? deviceId.startsWith(pattern.substring(0, pattern.length() - 1))
                        : pattern.equals(deviceId)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * A device that connects by itself.
     *
     * @param id       device id, the {@code auth-id} of its login
     * @param password its password
     */
    public record Device(String id, String password) {
    }

    private final Map<String, Tenant> tenants;
    private final String northUser;
    private final String northPassword;

    private Registry(final Map<String, Tenant> tenants, final String northUser, final String northPassword) {
        this.tenants = Collections.unmodifiableMap(new LinkedHashMap<>(tenants));
        this.northUser = northUser;
        this.northPassword = northPassword;
    }

    /**
     * Reads a registry from a YAML file (see the module README for its shape).
     *
     * @param yaml the file
     * @return the registry
     * @throws RegistryException with a {@code FILE: field: reason} message if it cannot be read or is invalid
     */
    public static Registry load(final Path yaml) {
        return RegistryYaml.load(yaml);
    }

    /**
     * @return a builder for a registry defined in code
     */
    public static Builder builder() {
        return new Builder("registry");
    }

    static Builder builder(final String source) {
        return new Builder(source);
    }

    /** @return the tenants by id */
    public Map<String, Tenant> tenants() {
        return tenants;
    }

    /** @return the northbound user name, or {@code null} if none configured */
    public String northUser() {
        return northUser;
    }

    /** @return the northbound password, or {@code null} if none configured */
    public String northPassword() {
        return northPassword;
    }

    /**
     * Checks a device-side login.
     *
     * @param authId   the part of the user name before the last {@code @}
     * @param tenantId the part after it
     * @param password the password
     * @return the identity, or empty if the tenant is unknown or disabled, the device unknown or the password wrong
     */
    public Optional<DeviceIdentity> authenticate(final String authId, final String tenantId, final String password) {
        final Tenant tenant = tenants.get(tenantId);
        if (tenant == null || !tenant.enabled() || password == null) {
            return Optional.empty();
        }
        final Gateway gw = tenant.gateways().get(authId);
        if (gw != null) {
            return gw.password().equals(password)
                    ? Optional.of(new DeviceIdentity(tenantId, authId, true)) : Optional.empty();
        }
        final Device dev = tenant.devices().get(authId);
        if (dev != null && dev.password().equals(password)) {
            return Optional.of(new DeviceIdentity(tenantId, authId, false));
        }
        return Optional.empty();
    }

    /**
     * @param who      an authenticated device or gateway
     * @param deviceId the device it wants to act for
     * @return whether it may: itself always; a gateway for the devices listed for it
     */
    public boolean mayActFor(final DeviceIdentity who, final String deviceId) {
        if (who.deviceId().equals(deviceId)) {
            return true;
        }
        final Tenant tenant = tenants.get(who.tenantId());
        if (tenant == null || !tenant.enabled()) {
            return false;
        }
        final Gateway gw = tenant.gateways().get(who.deviceId());
        if (gw == null) {
            return false;
        }
        // a prefix pattern never reaches another registered gateway or self-connecting device: as with Hono's
        // `via`, acting for those needs them listed by name
        boolean registered = tenant.gateways().containsKey(deviceId) || tenant.devices().containsKey(deviceId);
        return registered ? gw.devices().contains(deviceId) : gw.mayActFor(deviceId);
    }

    /**
     * @param tenantId a tenant id
     * @return whether the tenant exists and is enabled
     */
    public boolean isTenantEnabled(final String tenantId) {
        final Tenant tenant = tenants.get(tenantId);
        return tenant != null && tenant.enabled();
    }

    /**
     * Builds a {@link Registry}: {@code tenant(..)} starts a tenant that the following
     * {@code gateway(..)} and {@code device(..)} calls add to.
     */
    public static final class Builder {

        private final String source;
        private final Map<String, Tenant> tenants = new LinkedHashMap<>();
        private String current;
        private String northUser;
        private String northPassword;

        private Builder(final String source) {
            this.source = source;
        }

        /**
         * Starts an enabled tenant.
         *
         * @param id tenant id
         * @return this
         */
        public Builder tenant(final String id) {
            return tenant(id, true);
        }

        /**
         * Starts a tenant.
         *
         * @param id      tenant id
         * @param enabled whether its devices may connect
         * @return this
         */
        public Builder tenant(final String id, final boolean enabled) {
            requireId("tenant", id);
            if (tenants.containsKey(id)) {
                throw error("tenant " + id, "duplicate tenant id");
            }
            tenants.put(id, new Tenant(id, enabled, new LinkedHashMap<>(), new LinkedHashMap<>()));
            current = id;
            return this;
        }

        /**
         * Adds a gateway to the current tenant.
         *
         * @param id       gateway id
         * @param password its password
         * @param devices  device ids or prefix patterns ({@code cam-*}) it may act for
         * @return this
         */
        public Builder gateway(final String id, final String password, final List<String> devices) {
            final Tenant t = currentTenant("gateway " + id);
            requireId("gateway", id);
            requirePassword("gateway " + id, password);
            checkUnique(t, id);
            final List<String> list = new ArrayList<>();
            for (final String d : devices == null ? List.<String>of() : devices) {
                if (d == null || d.isBlank() || d.contains("/") || d.indexOf('*') >= 0 && d.indexOf('*') != d.length() - 1) {
                    throw error("gateway " + id + ".devices", "invalid device id or pattern '" + d + "'");
                }
                list.add(d);
            }
            t.gateways().put(id, new Gateway(id, password, List.copyOf(list)));
            return this;
        }

        /**
         * Adds a self-connecting device to the current tenant.
         *
         * @param id       device id
         * @param password its password
         * @return this
         */
        public Builder device(final String id, final String password) {
            final Tenant t = currentTenant("device " + id);
            requireId("device", id);
            requirePassword("device " + id, password);
            checkUnique(t, id);
            t.devices().put(id, new Device(id, password));
            return this;
        }

        /**
         * Sets the northbound (application side) login.
         *
         * @param username user name
         * @param password password
         * @return this
         */
        public Builder north(final String username, final String password) {
            if (username == null || username.isBlank() || password == null) {
                throw error("north", "username and password are both required");
            }
            this.northUser = username;
            this.northPassword = password;
            return this;
        }

        /**
         * @return the registry
         */
        public Registry build() {
            final Map<String, Tenant> frozen = new LinkedHashMap<>();
            tenants.forEach((id, t) -> frozen.put(id, new Tenant(id, t.enabled(),
                    Collections.unmodifiableMap(new LinkedHashMap<>(t.gateways())),
                    Collections.unmodifiableMap(new LinkedHashMap<>(t.devices())))));
            return new Registry(frozen, northUser, northPassword);
        }

        private Tenant currentTenant(final String what) {
            if (current == null) {
                throw error(what, "call tenant(..) first");
            }
            return tenants.get(current);
        }

        private void checkUnique(final Tenant t, final String id) {
            if (t.gateways().containsKey(id) || t.devices().containsKey(id)) {
                throw error("tenant " + t.id(), "duplicate device id '" + id + "'");
            }
        }

        private void requireId(final String what, final String id) {
            if (id == null || id.isBlank()) {
                throw error(what + " id", "missing");
            }
            if (id.contains("/") || id.contains("@") || id.contains("*")) {
                throw error(what + " id", "'" + id + "' must not contain '/', '@' or '*'");
            }
        }

        private void requirePassword(final String what, final String password) {
            if (password == null || password.isEmpty()) {
                throw error(what + ".password", "missing");
            }
        }

        private RegistryException error(final String field, final String reason) {
            return new RegistryException(source + ": " + field + ": " + reason);
        }
    }
}
