package ai.realstaging.local;

import java.util.ArrayList;
import java.util.List;

/** What a local service started, closed in reverse order; a failing close is reported and the rest still close. */
final class Closer implements AutoCloseable {
    private final List<AutoCloseable> resources = new ArrayList<>();

    <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                System.err.println("[local] while stopping: " + e.getMessage());
            }
        }
        resources.clear();
    }
}
