package org.campusedge.camel.camera;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.campusedge.api.Families;
import org.campusedge.camel.family.DeviceFamily;
import org.campusedge.camel.family.FamilyContext;

/**
 * Security cameras that push ISAPI alarm notifications to the device HTTP port (HTTP Digest with
 * the camera's key unless the inventory marks it {@code security: none}).
 */
public final class CameraFamily implements DeviceFamily {

    public static final String MOTION = "camera.motion";
    public static final String INTRUSION = Families.CAMERA_INTRUSION;
    public static final String TAMPER = "camera.tamper";
    /** Any other alarm type, kept with its type. */
    public static final String ALERT = "camera.alert";

    @Override
    public String name() {
        return Families.CAMERA;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.PUSH);
    }

    @Override
    public Set<String> protocols() {
        return Set.of("http-isapi");
    }

    @Override
    public Set<String> eventKinds() {
        return Set.of(MOTION, INTRUSION, TAMPER, ALERT);
    }

    @Override
    public List<String> templates() {
        return List.of("camera.yaml");
    }

    @Override
    public void bind(FamilyContext c) {
        c.bind("cameraNormaliser", new CameraNormaliser(c.registry(), new IsapiAlertParser(), c.registry().timezone()));
    }
}
