package ai.realstaging.migrate;

import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.ConnectionFactory;
import ai.realstaging.common.db.Migrations;
import ai.realstaging.common.observability.Observability;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.cloudformation.AbstractCustomResourceHandler;
import software.amazon.lambda.powertools.cloudformation.Response;

/**
 * Applies the schema migrations at deploy time, as a CloudFormation custom resource, before the
 * functions that need the new schema are updated. Deleting the stack leaves the data alone.
 */
public final class MigrateHandler extends AbstractCustomResourceHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MigrateHandler.class);
    static final String PHYSICAL_ID = "realstaging-schema";

    private final ConnectionFactory connections;

    public MigrateHandler() {
        this(ConnectionFactory.fromConfig(Config.fromEnvironment()));
    }

    MigrateHandler(ConnectionFactory connections) {
        this.connections = connections;
    }

    @Override
    protected Response create(CloudFormationCustomResourceEvent event, Context context) {
        return migrate(context);
    }

    @Override
    protected Response update(CloudFormationCustomResourceEvent event, Context context) {
        return migrate(context);
    }

    /** Schema changes are forward-only; a stack deletion must never drop customers' data. */
    @Override
    protected Response delete(CloudFormationCustomResourceEvent event, Context context) {
        return Response.success(PHYSICAL_ID);
    }

    private Response migrate(Context context) {
        return Observability.invocation(context, () -> {
            try {
                int applied = Migrations.apply(connections);
                LOG.info("schema up to date; {} migration(s) applied", applied);
                return Response.builder().value(Map.of("Applied", applied)).physicalResourceId(PHYSICAL_ID).build();
            } catch (RuntimeException e) {
                LOG.error("migration failed", e);
                // CloudFormation shows the reason and rolls the deployment back; no SQL text is secret here.
                return Response.builder().status(Response.Status.FAILED).physicalResourceId(PHYSICAL_ID)
                        .reason("Schema migration failed: " + e.getMessage()).build();
            }
        });
    }
}
