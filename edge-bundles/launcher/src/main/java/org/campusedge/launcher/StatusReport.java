package org.campusedge.launcher;

import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Which bundles and Declarative Services components are active, and for each one that is not, why:
 * the bundle that did not resolve and its missing requirement, the component waiting for a
 * configuration or a service, the one whose activation threw.
 */
final class StatusReport {

    /** One line per bundle or component; {@code ok} false for the ones a person must look at. */
    record Line(String what, String name, String state, boolean ok, String why) {
        @Override
        public String toString() {
            return String.format("  %-9s %-48s %-22s%s", what, name, state, why == null ? "" : "  <- " + why);
        }
    }

    /** State of an immediate component whose activation is still running. */
    static final String ACTIVATING = "ACTIVATING";

    private StatusReport() {
    }

    static List<Line> bundles(BundleContext bc) {
        List<Line> out = new ArrayList<>();
        for (Bundle b : bc.getBundles()) {
            boolean fragment = b.getHeaders().get("Fragment-Host") != null;
            boolean active = b.getState() == Bundle.ACTIVE || (fragment && b.getState() == Bundle.RESOLVED);
            String why = null;
            if (!active && b.getState() == Bundle.INSTALLED) {
                why = unresolvedReason(b);
            }
            out.add(new Line("bundle", b.getSymbolicName() + " " + b.getVersion(), state(b.getState()), active, why));
        }
        return out;
    }

    private static String unresolvedReason(Bundle b) {
        try {
            b.start();
            return "started late";
        } catch (Exception e) {
            String m = e.getMessage();
            return m == null ? e.toString() : m.replace('\n', ' ');
        }
    }

    static List<Line> components(ServiceComponentRuntime scr) {
        List<Line> out = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            List<ComponentConfigurationDTO> configs = new ArrayList<>(scr.getComponentConfigurationDTOs(d));
            if (configs.isEmpty()) {
                boolean needsConfig = "require".equals(d.configurationPolicy);
                out.add(new Line("component", d.name, scr.isComponentEnabled(d) ? "NOT CONFIGURED" : "DISABLED", false,
                        needsConfig ? "needs configuration " + String.join(",", d.configurationPid) : "disabled"));
                continue;
            }
            for (ComponentConfigurationDTO c : configs) {
                out.add(componentLine(d, c));
            }
        }
        return out;
    }

    private static Line componentLine(ComponentDescriptionDTO d, ComponentConfigurationDTO c) {
        return switch (c.state) {
            case ComponentConfigurationDTO.ACTIVE -> new Line("component", d.name, "ACTIVE", true, null);
            // a delayed component waits, satisfied, until someone uses its service; an immediate one is
            // only satisfied while it is being activated
            case ComponentConfigurationDTO.SATISFIED -> d.immediate
                    ? new Line("component", d.name, ACTIVATING, false, "activation still running")
                    : new Line("component", d.name, "SATISFIED (lazy)", true, null);
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> new Line("component", d.name, "WAITING", false,
                    "missing service " + missing(c.unsatisfiedReferences));
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> new Line("component", d.name, "NOT CONFIGURED",
                    false, "needs configuration " + String.join(",", d.configurationPid));
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> new Line("component", d.name, "FAILED", false,
                    explain(firstLine(c.failure)));
            default -> new Line("component", d.name, "STATE " + c.state, false, null);
        };
    }

    private static String missing(UnsatisfiedReferenceDTO[] refs) {
        List<String> names = new ArrayList<>();
        for (UnsatisfiedReferenceDTO r : refs) {
            names.add(r.name + " (" + r.target + ")");
        }
        return String.join(", ", names);
    }

    /** SCR's words for "a service this component needs failed to activate", said plainly. */
    private static String explain(String reason) {
        int at = reason.indexOf("Unable to get service for reference ");
        if (at < 0) {
            return reason;
        }
        String ref = reason.substring(at + "Unable to get service for reference ".length()).trim();
        return "the service of its reference '" + ref + "' failed to start (see that component's line)";
    }

    private static String firstLine(String failure) {
        if (failure == null) {
            return "activation failed";
        }
        // the DTO carries a whole stack trace; the cause's message is what a person can act on
        String[] lines = failure.split("\n");
        String last = lines[0];
        for (String l : lines) {
            if (l.startsWith("Caused by: ")) {
                last = l.substring("Caused by: ".length());
            }
        }
        return last.trim();
    }

    private static String state(int s) {
        return switch (s) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }
}
