package ai.realstaging.local.bench;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * Run in a new JVM by the benchmark: the start-up cost of the local WebSocket server library (Jetty
 * 12's core WebSocket server, as WebSocketApi configures it), first start in the process. Prints
 * "STARTED <ms>".
 */
public final class WebSocketStartup {
    private WebSocketStartup() {}

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container ->
                container.addMapping("/ws", (request, response, callback) -> new Session.Listener.AbstractAutoDemanding() {})));
        server.start();
        System.out.println("STARTED " + (System.nanoTime() - started) / 1_000_000);
        server.stop();
    }
}
