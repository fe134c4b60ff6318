package ai.realstaging.local.template;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root (the directory holding template.yaml) from wherever the tests run. */
final class RepositoryRoot {

    private RepositoryRoot() {
    }

    static Path find() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no template.yaml in " + start + " or any parent directory");
    }

    static Path template() {
        return find().resolve("template.yaml");
    }
}
