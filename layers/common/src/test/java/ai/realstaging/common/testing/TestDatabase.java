package ai.realstaging.common.testing;

import ai.realstaging.common.billing.Quota;
import ai.realstaging.common.billing.UsagePeriod;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Database;
import ai.realstaging.common.db.DatabaseUrl;
import ai.realstaging.common.db.ImageRepository;
import ai.realstaging.common.db.Migrations;
import ai.realstaging.common.db.OriginalRepository;
import ai.realstaging.common.db.ProjectRepository;
import ai.realstaging.common.db.Sql;
import ai.realstaging.common.db.UserRepository;
import ai.realstaging.common.model.Image;
import ai.realstaging.common.model.ImageStatus;
import ai.realstaging.common.model.Original;
import ai.realstaging.common.model.OriginalStatus;
import ai.realstaging.common.storage.ObjectKeys;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fresh, migrated PostgreSQL database for one test JVM: created on the server DATABASE_URL names
 * (CI) and dropped at exit, or on an embedded server when DATABASE_URL is unset. Also makes the
 * users, projects and uploads tests start from.
 */
public final class TestDatabase {
    private static final String PREFIX = "rs_test_";
    /** Databases of runs that died without their shutdown hook are dropped once they are this old. */
    private static final Duration STALE = Duration.ofHours(6);

    private static TestDatabase shared;
    /** Why the first attempt failed: every later test fails fast with the same message instead of retrying. */
    private static RuntimeException failure;

    private final DatabaseUrl server;
    private final DatabaseUrl url;
    private final String name;
    private final boolean dropAtExit;
    private final List<String> extra = new ArrayList<>();

    private TestDatabase(DatabaseUrl server, boolean dropAtExit) {
        this.server = server;
        this.dropAtExit = dropAtExit;
        this.name = PREFIX + Instant.now().getEpochSecond() + "_"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.properties());
             Statement s = c.createStatement()) {
            if (dropAtExit) {
                dropStale(c);
            }
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the test database on " + server + ": " + e.getMessage(), e);
        }
        this.url = server.withDatabase(name);
        Migrations.apply(url);
        if (dropAtExit) {
            Runtime.getRuntime().addShutdownHook(new Thread(this::drop, "drop-" + name));
        }
    }

    /** The database of this JVM, made on first use. */
    public static synchronized TestDatabase shared() {
        if (failure != null) {
            throw failure;
        }
        if (shared == null) {
            try {
                String env = System.getenv("DATABASE_URL");
                shared = env != null && !env.isBlank()
                        ? new TestDatabase(DatabaseUrl.parse(env), true)
                        : new TestDatabase(EmbeddedServer.start(), false);
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return shared;
    }

    /**
     * A migrated database of its own on the same server (dropped at exit like the shared one), for
     * tests whose subject works on every row, such as the maintenance sweeps, and must see no other
     * test's rows.
     */
    public static synchronized TestDatabase isolated() {
        TestDatabase first = shared();
        return new TestDatabase(first.server, first.dropAtExit);
    }

    public DatabaseUrl url() {
        return url;
    }

    /** The database as a DATABASE_URL setting, for code wired from {@code Config} like a deployed function. */
    public String databaseUrlSetting() {
        StringBuilder setting = new StringBuilder(url.jdbcUrl());
        String separator = url.jdbcUrl().contains("?") ? "&" : "?";
        if (url.user() != null) {
            setting.append(separator).append("user=").append(URLEncoder.encode(url.user(), StandardCharsets.UTF_8));
            separator = "&";
        }
        if (url.password() != null) {
            setting.append(separator).append("password=")
                    .append(URLEncoder.encode(url.password(), StandardCharsets.UTF_8));
        }
        return setting.toString();
    }

    /** The name of the database, rs_test_…, unique to this JVM. */
    public String name() {
        return name;
    }

    /** A {@link Database} on its own fresh connection, as a function environment would have. */
    public Database newDatabase() {
        return new Database(ConnectionFactory.plain(url));
    }

    /** Another database on the same server, empty (no migrations), dropped with this one; for migration tests. */
    public synchronized DatabaseUrl createEmptyDatabase() {
        String db = name + "_" + (extra.size() + 1);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.properties());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create " + db + ": " + e.getMessage(), e);
        }
        extra.add(db);
        return server.withDatabase(db);
    }

    /** A raw connection in autocommit mode; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url.jdbcUrl(), url.properties());
    }

    /** A signed-in user as the JWT authorizer would name them, with our user row. */
    public record TestUser(UUID id, String sub, String email) {}

    /** A user with a unique subject on the free plan. */
    public TestUser createUser() {
        String sub = "auth0|test-" + UUID.randomUUID();
        String email = sub.substring(sub.indexOf('-') + 1, sub.indexOf('-') + 9) + "@example.com";
        UUID id = withConnection(c -> UserRepository.resolve(c, sub, email));
        return new TestUser(id, sub, email);
    }

    public void setPlan(UUID userId, String planId) {
        update("UPDATE users SET plan_id = ? WHERE id = ?", planId, userId);
    }

    public UUID createProject(UUID userId, String name) {
        return withConnection(c -> ProjectRepository.insert(c, UUID.randomUUID(), userId, name).id());
    }

    /** An original and one image per style, with their quota reserved, as a started upload leaves them. */
    public record Upload(Original original, List<Image> images) {
        public Image image() {
            return images.getFirst();
        }
    }

    public Upload createUpload(UUID userId, UUID projectId, String filename, String contentType, long sizeBytes,
                               String roomType, List<String> styles) {
        return withConnection(c -> {
            c.setAutoCommit(false);
            try {
                UUID originalId = UUID.randomUUID();
                Original original = OriginalRepository.insert(c, new Original(originalId, projectId, userId, filename,
                        contentType, sizeBytes, ObjectKeys.upload(userId, originalId, ObjectKeys.sanitize(filename)),
                        OriginalStatus.AWAITING_UPLOAD, null, null, null, null,
                        Instant.now().plus(Duration.ofMinutes(15)), null, null));
                List<Image> images = new ArrayList<>();
                for (String style : styles) {
                    images.add(ImageRepository.insert(c, new Image(UUID.randomUUID(), originalId, projectId, userId,
                            roomType, style, "stage", null, null, ImageStatus.AWAITING_UPLOAD, null, null, null, null,
                            null, null, null, null, null, 0, null, null, null)));
                }
                Quota.reserve(c, userId, images.stream().map(Image::id).toList(), Instant.now());
                c.commit();
                return new Upload(original, images);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        });
    }

    /** The upload arrived and was verified: the original is uploaded (1600 × 1200), its images queued. */
    public Upload markUploaded(Upload upload) {
        withConnection(c -> {
            OriginalRepository.markUploaded(c, upload.original().id(), 1600, 1200);
            return ImageRepository.queueAwaiting(c, upload.original().id());
        });
        return upload;
    }

    /** The image was staged: ready with a PNG under staged/, its quota unit consumed. */
    public void markReady(Image image) {
        withConnection(c -> {
            ImageRepository.claim(c, image.id(), Instant.now().plusSeconds(60)).orElseThrow();
            ImageRepository.markReady(c, image.id(), ObjectKeys.staged(image.userId(), image.id(), "png"), "image/png",
                    new java.math.BigDecimal("0.03"), 4000, 6000).orElseThrow();
            Quota.consume(c, image.id());
            return null;
        });
    }

    /** The image failed for good: failed with the model's error, its quota unit released. */
    public void markFailed(Image image) {
        withConnection(c -> {
            ImageRepository.markFailed(c, image.id(), "model_failed", "The AI model could not stage this photo.");
            return Quota.release(c, image.id());
        });
    }

    /** Spends {@code units} of the user's quota this month on images that are not there any more. */
    public void useQuota(UUID userId, int units) {
        withConnection(c -> {
            for (int i = 0; i < units; i++) {
                Sql.update(c, "INSERT INTO usage_reservations (user_id, period_start) VALUES (?, ?)",
                        userId, UsagePeriod.calendarMonth(Instant.now()).start());
            }
            return null;
        });
    }

    /** Runs one statement in autocommit mode and answers the rows it changed. */
    public int update(String sql, Object... params) {
        return withConnection(c -> {
            try (PreparedStatement ps = prepare(c, sql, params)) {
                return ps.executeUpdate();
            }
        });
    }

    /** The first column of the first row as a long, e.g. {@code count(*)}. */
    public long queryLong(String sql, Object... params) {
        return withConnection(c -> {
            try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) throw new IllegalStateException("no row: " + sql);
                return rs.getLong(1);
            }
        });
    }

    /** The first column of the first row as text, or null. */
    public String queryString(String sql, Object... params) {
        return withConnection(c -> {
            try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        });
    }

    /** Work on a short-lived connection. */
    @FunctionalInterface
    public interface ConnectionWork<T> {
        T run(Connection c) throws SQLException;
    }

    public <T> T withConnection(ConnectionWork<T> work) {
        try (Connection c = connect()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            ps.setObject(i + 1, p instanceof Instant instant ? Timestamp.from(instant) : p);
        }
        return ps;
    }

    private synchronized void drop() {
        List<String> all = new ArrayList<>(extra);
        all.add(name);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.properties());
             Statement s = c.createStatement()) {
            for (String db : all) {
                s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            System.err.println("could not drop test database " + name + ": " + e.getMessage());
        }
    }

    private static void dropStale(Connection c) throws SQLException {
        List<String> stale = new ArrayList<>();
        long cutoff = Instant.now().minus(STALE).getEpochSecond();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'rs\\_test\\_%'")) {
            while (rs.next()) {
                String db = rs.getString(1);
                String[] parts = db.substring(PREFIX.length()).split("_", 2);
                try {
                    if (Long.parseLong(parts[0]) < cutoff) stale.add(db);
                } catch (NumberFormatException ignored) {
                    // not one of ours
                }
            }
        }
        for (String db : stale) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            } catch (SQLException e) {
                // another run may be dropping it at the same moment
            }
        }
    }

    /** The embedded server, started once per JVM and stopped by its own shutdown hook. */
    static final class EmbeddedServer {
        private static EmbeddedPostgres postgres;

        private EmbeddedServer() {}

        static synchronized DatabaseUrl start() {
            if (postgres == null) {
                // PostgreSQL refuses to run as root; zonky then starts it through `unshare -U`, in a
                // user namespace where it is not root, which needs user namespaces to be allowed.
                try {
                    postgres = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(30)).start();
                } catch (Exception | Error e) {
                    throw new IllegalStateException("Embedded PostgreSQL could not start (" + e.getMessage() + ")."
                            + ("root".equals(System.getProperty("user.name"))
                                    ? " As root it runs through unshare -U, which needs user namespaces." : "")
                            + " Set DATABASE_URL to a PostgreSQL server where you may create databases, e.g."
                            + " DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres", e);
                }
            }
            return DatabaseUrl.parse("postgresql://postgres@localhost:" + postgres.getPort() + "/postgres");
        }
    }
}
