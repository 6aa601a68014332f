package org.campusedge.camel.energy;

import java.util.concurrent.CompletionStage;
import org.campusedge.api.ControlRequest;
import org.campusedge.api.ControlResult;
import org.campusedge.api.ControlResult.Outcome;
import org.campusedge.api.DeviceControls;
import org.campusedge.camel.command.CommandSender;

/** {@link DeviceControls} through the meters' command routes ({@code direct:energy-ID} from the energy-command template). */
public final class GatewayControls implements DeviceControls {

    private final CommandSender sender;

    public GatewayControls(CommandSender sender) {
        this.sender = sender;
    }

    @Override
    public CompletionStage<ControlResult> write(ControlRequest request) {
        return sender.send("direct:energy-" + request.deviceId(), request, EnergyControl.RESULT, ControlResult.class,
                () -> new ControlResult(Outcome.REFUSED, "no controllable meter '" + request.deviceId() + "' in the inventory"),
                e -> new ControlResult(Outcome.REFUSED, "write not sent: " + e));
    }
}
