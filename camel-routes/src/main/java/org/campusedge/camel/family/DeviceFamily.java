package org.campusedge.camel.family;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One device family (lab kits, cameras, card readers, ...): everything the gateway's one Camel
 * context needs to take a family's devices in, in one place. The Camel bundle finds the families
 * with {@link java.util.ServiceLoader} (each names itself in
 * {@code META-INF/services/org.campusedge.camel.family.DeviceFamily}) and knows none of them by
 * name: adding a family is its package, its templates, its profile and that one line.
 *
 * <p>Its life: {@link #bind} (its Camel components and beans, before its templates are loaded),
 * {@link #started} (the context runs: commands can be sent, polls begin), {@link #close} (after
 * the context stopped). The connectors a family's devices reach (CoAP, the card readers' TCP port,
 * the device HTTP port) are the gateway's, shared: a port is a firewall rule a school opens once,
 * and two families (cameras, PA controllers) share the HTTP one.
 */
public interface DeviceFamily {

    /** How the gateway and a family's devices talk, as data (the routes the hub makes follow from it). */
    enum Capability {
        /** The device sends: a route {@code <family>} from the family's template. */
        PUSH,
        /** The gateway registers as an observer ({@code mode: observe} in the inventory): a route {@code <family>-observe}. */
        OBSERVE,
        /** The gateway commands the device: a second route {@code <family>-command} per device. */
        COMMAND,
        /** The gateway asks the device now and then, on the family's schedule (its route {@code <family>} is a direct: one). */
        POLL
    }

    /** The family's name: the inventory profiles' {@code family}, and the id of its main route template. */
    String name();

    Set<Capability> capabilities();

    /** The wire protocols its profiles may name ({@code protocol: coap-senml}); a profile naming another is reported at start. */
    Set<String> protocols();

    /** Every event kind the family's routes produce; a profile of the family that names another is reported at start. */
    Set<String> eventKinds();

    /** The family's route template files (in the bundle's {@code templates/} or the configured folder). */
    List<String> templates();

    /**
     * The PID of the family's own configuration (its Metatype), or null when the family's settings
     * are still among the Camel routes' ({@code org.campusedge.camel}).
     */
    default String configurationPid() {
        return null;
    }

    /** Binds the family's Camel components and beans (the names its templates refer to). */
    void bind(FamilyContext context) throws Exception;

    /** The context runs: commands can be sent, polls may begin. */
    default void started(FamilyContext context) throws Exception {
    }

    /** Some devices' credentials changed or were revoked: drop what was proven with the old ones. */
    default void credentialsChanged(Set<String> deviceIds) {
    }

    /** What the family offers the rest of the gateway as OSGi services (PA broadcasts, meter controls, ...), by type. */
    default Map<Class<?>, Object> services() {
        return Map.of();
    }

    /** Closes what the family opened, after the routes stopped. */
    default void close() throws Exception {
    }
}
