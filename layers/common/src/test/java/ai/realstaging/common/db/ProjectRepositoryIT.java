// integration: real PostgreSQL (DATABASE_URL or embedded); owner-filtered projects and keyset paging
package ai.realstaging.common.db;

import static org.assertj.core.api.Assertions.assertThat;

import ai.realstaging.common.model.Project;
import ai.realstaging.common.testing.TestDatabase;
import ai.realstaging.common.testing.TestDatabase.TestUser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProjectRepositoryIT {
    private final TestDatabase db = TestDatabase.shared();

    /** Walks every page through cursors made from the last row, as clients do with next_cursor. */
    private List<Project> allPages(UUID userId, int limit) {
        List<Project> seen = new ArrayList<>();
        Cursor after = null;
        for (int page = 0; page < 100; page++) {
            Cursor from = Cursor.decode(after == null ? "" : after.encode()).orElse(null);
            List<Project> rows = db.withConnection(c -> ProjectRepository.listOwned(c, userId, from, limit));
            seen.addAll(rows);
            if (rows.size() < limit) return seen;
            after = new Cursor(rows.getLast().createdAt(), rows.getLast().id());
        }
        throw new AssertionError("paging did not end");
    }

    @Test
    void pagesNeitherRepeatNorSkipProjectsCreatedInTheSameInstant() {
        TestUser user = db.createUser();
        // One transaction: every row gets the same created_at, so only the id orders them.
        List<UUID> sameInstant = db.withConnection(c -> {
            c.setAutoCommit(false);
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < 23; i++) {
                ids.add(ProjectRepository.insert(c, UUID.randomUUID(), user.id(), "Listing " + i).id());
            }
            c.commit();
            return ids;
        });
        List<UUID> later = new ArrayList<>();
        for (int i = 0; i < 4; i++) later.add(db.createProject(user.id(), "Later " + i));
        assertThat(db.queryLong("SELECT count(DISTINCT created_at) FROM projects WHERE id = ANY (?::uuid[])",
                (Object) sameInstant.stream().map(UUID::toString).toArray(String[]::new))).isEqualTo(1);

        List<Project> seen = allPages(user.id(), 5);

        assertThat(seen).extracting(Project::id).doesNotHaveDuplicates().hasSize(27)
                .containsAll(sameInstant).containsAll(later);
        assertThat(new HashSet<>(seen.subList(0, 4).stream().map(Project::id).toList())).isEqualTo(new HashSet<>(later));
        // PostgreSQL orders uuids bytewise, as their canonical text sorts (java.util.UUID does not).
        assertThat(seen).isSortedAccordingTo(Comparator.comparing(Project::createdAt).reversed()
                .thenComparing(p -> p.id().toString(), Comparator.reverseOrder()));
    }

    @Test
    void aPageSizeThatDividesTheTotalEndsWithAnEmptyPage() {
        TestUser user = db.createUser();
        for (int i = 0; i < 6; i++) db.createProject(user.id(), "P" + i);

        assertThat(allPages(user.id(), 3)).hasSize(6);
    }

    @Test
    void onlyTheOwnersProjectsAreListedOrFound() {
        TestUser owner = db.createUser();
        TestUser stranger = db.createUser();
        UUID mine = db.createProject(owner.id(), "Mine");
        db.createProject(stranger.id(), "Theirs");

        assertThat(allPages(owner.id(), 10)).extracting(Project::id).containsExactly(mine);
        assertThat(db.<java.util.Optional<Project>>withConnection(c -> ProjectRepository.findOwned(c, mine, owner.id()))).isPresent();
        assertThat(db.<java.util.Optional<Project>>withConnection(c -> ProjectRepository.findOwned(c, mine, stranger.id()))).isEmpty();
    }
}
