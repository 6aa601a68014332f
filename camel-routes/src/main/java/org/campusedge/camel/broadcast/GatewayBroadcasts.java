package org.campusedge.camel.broadcast;

import java.util.concurrent.CompletionStage;
import org.campusedge.api.BroadcastRequest;
import org.campusedge.api.BroadcastResult;
import org.campusedge.api.BroadcastResult.Outcome;
import org.campusedge.api.Broadcasts;
import org.campusedge.camel.command.CommandSender;

/**
 * {@link Broadcasts} through the controllers' command routes ({@code direct:broadcast-ID}, made
 * from the broadcast-command template for each controller of the inventory).
 */
public final class GatewayBroadcasts implements Broadcasts {

    private final CommandSender sender;

    public GatewayBroadcasts(CommandSender sender) {
        this.sender = sender;
    }

    @Override
    public CompletionStage<BroadcastResult> send(BroadcastRequest request) {
        return sender.send("direct:broadcast-" + request.controllerId(), request, BroadcastCommand.RESULT, BroadcastResult.class,
                () -> new BroadcastResult(Outcome.REFUSED, null, null,
                        "no broadcast controller '" + request.controllerId() + "' in the inventory"),
                e -> new BroadcastResult(Outcome.REFUSED, null, null, "command not sent: " + e));
    }
}
