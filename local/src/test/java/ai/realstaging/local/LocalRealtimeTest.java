// unit: the local real-time pieces start beside a busy port; Redis from REDIS_URL or embedded, template.yaml from the repository
package ai.realstaging.local;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.local.template.SamTemplate;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class LocalRealtimeTest {

    @Test
    void theWebSocketApiMovesToAFreePortWhenTheOneNextToTheHttpApiIsTaken() throws Exception {
        SamTemplate template = SamTemplate.load(Cli.root().resolve("template.yaml"));
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             LocalRealtime realtime = LocalRealtime.start(template, "127.0.0.1", taken.getLocalPort(), null, id -> null)) {
            assertThat(realtime.webSocketUrl().getPort()).isPositive().isNotEqualTo(taken.getLocalPort());
            assertThat(realtime.webSocketUrl().getPath()).isEqualTo("/ws");
            assertThat(realtime.settings()).containsEntry("REALTIME_TRANSPORT", "websocket,redis")
                    .containsEntry("WEBSOCKET_CALLBACK_URL", "http://127.0.0.1:" + realtime.webSocketUrl().getPort() + "/ws");
        }
    }
}
