package org.campusedge.camel.family;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.Profile;

/**
 * The device families a class loader offers ({@code META-INF/services}), checked for what would
 * otherwise fail quietly later: two families of one name, a template file no family's templates
 * folder has, a command capability without a command template.
 */
public final class Families {

    private Families() {
    }

    /** Every family the loader offers, by name. */
    public static Map<String, DeviceFamily> found(ClassLoader loader) {
        Map<String, DeviceFamily> out = new TreeMap<>();
        for (DeviceFamily f : ServiceLoader.load(DeviceFamily.class, loader)) {
            DeviceFamily before = out.put(f.name(), f);
            if (before != null) {
                throw new IllegalStateException("two device families are named '" + f.name() + "': "
                        + before.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        return out;
    }

    /**
     * What is wrong with a family's declaration given the template files there are: each is a
     * sentence, empty when the family is whole.
     */
    public static List<String> problems(DeviceFamily f, Set<String> templateFiles) {
        List<String> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (String t : f.templates()) {
            if (!templateFiles.contains(t)) {
                out.add("family " + f.name() + ": its route template " + t + " is missing");
            }
            ids.add(t.substring(0, t.lastIndexOf('.')));
        }
        if (!ids.contains(f.name())) {
            out.add("family " + f.name() + ": it has no main route template " + f.name() + ".yaml");
        }
        boolean commandTemplate = ids.contains(f.name() + "-command");
        if (f.capabilities().contains(DeviceFamily.Capability.COMMAND) != commandTemplate) {
            out.add("family " + f.name() + (commandTemplate ? ": has a command template but not the COMMAND capability"
                    : ": is COMMANDed but has no " + f.name() + "-command.yaml"));
        }
        for (String kind : f.eventKinds()) {
            if (!kind.startsWith(f.name() + ".")) {
                out.add("family " + f.name() + ": event kind " + kind + " is not the family's (" + f.name() + ".*)");
            }
        }
        return out;
    }

    /**
     * The inventory's profiles whose protocol their family does not speak, whose declared events it
     * does not produce, or whose family no {@link DeviceFamily} serves (their devices get no route):
     * each a sentence.
     */
    public static List<String> profileProblems(DeviceRegistry registry, Map<String, DeviceFamily> families) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        registry.devices().forEach(d -> {
            if (!seen.add(d.profileId())) {
                return;
            }
            DeviceFamily f = families.get(d.family());
            if (f == null) {
                out.add("profile " + d.profileId() + ": no device family '" + d.family() + "' is installed; its devices get no route");
                return;
            }
            Profile profile = registry.profile(d.profileId()).orElse(null);
            if (profile == null) {
                return;
            }
            if (profile.protocol() != null && !f.protocols().contains(profile.protocol())) {
                out.add("profile " + d.profileId() + ": protocol " + profile.protocol() + " is not one the " + f.name()
                        + " family speaks (" + new java.util.TreeSet<>(f.protocols()) + ")");
            }
            profile.events().stream()
                    .filter(k -> !f.eventKinds().contains(k))
                    .forEach(k -> out.add("profile " + d.profileId() + ": lists event " + k + ", which the " + f.name()
                            + " family never produces (it produces " + new java.util.TreeSet<>(f.eventKinds()) + ")"));
        });
        return out;
    }
}
