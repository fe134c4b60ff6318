package ai.realstaging.local;

// unit: the local stack's execution environments — one invocation at a time per instance, Lambda's timeout

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.realstaging.common.config.Config;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FunctionPoolTest {

    /** A handler that sleeps for the number of milliseconds it is given and counts its instances. */
    public static final class Sleeper implements RequestHandler<Object, Object> {
        static final AtomicInteger INSTANCES = new AtomicInteger();

        public Sleeper(Config config) {
            INSTANCES.incrementAndGet();
        }

        @Override
        public Object handleRequest(Object millis, Context context) {
            try {
                Thread.sleep((Integer) millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "slept " + millis + " with " + context.getRemainingTimeInMillis() / 1000 + " s left";
        }
    }

    private static FunctionPool pool(int timeoutSeconds) {
        return new FunctionPool("Sleeper", Sleeper.class.getName() + "::handleRequest", Config.of(Map.of()),
                128, timeoutSeconds, 2);
    }

    @Test
    void anInvocationWithinTheTimeoutAnswersAndTheEnvironmentIsReused() throws Exception {
        FunctionPool pool = pool(5);
        int before = Sleeper.INSTANCES.get();

        assertThat(pool.invoke(10)).isEqualTo("slept 10 with 4 s left");
        assertThat(pool.invoke(10)).isEqualTo("slept 10 with 4 s left");

        assertThat(Sleeper.INSTANCES.get() - before).isEqualTo(1);
    }

    @Test
    void anInvocationPastTheTimeoutFailsAndItsEnvironmentIsDiscarded() throws Exception {
        FunctionPool pool = pool(1);
        int before = Sleeper.INSTANCES.get();

        assertThatThrownBy(() -> pool.invoke(3_000)).isInstanceOf(FunctionPool.FunctionTimeoutException.class)
                .hasMessageContaining("timed out after 1 s");
        assertThat(pool.invoke(10)).asString().startsWith("slept 10");

        assertThat(Sleeper.INSTANCES.get() - before).isEqualTo(2);
    }
}
