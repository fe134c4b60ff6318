package ai.realstaging.projects;

import static ai.realstaging.common.http.Router.route;

import ai.realstaging.common.api.CatalogView;
import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.config.AwsClients;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.db.Cursor;
import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.http.ApiException.FieldError;
import ai.realstaging.common.http.ApiRequest;
import ai.realstaging.common.http.Responses;
import ai.realstaging.common.http.Router;
import ai.realstaging.common.observability.Observability;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import ai.realstaging.common.api.ProfilePatch;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.crac.Core;

/** HTTP API entry point for the REST resources: health, catalog, profile, projects, originals, images, billing, admin. */
public final class ProjectsHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    private final ProjectService projects;
    private final AdminService admin;
    private final Router router;
    private final ProjectsPriming priming;

    public ProjectsHandler() {
        this(Config.fromEnvironment());
    }

    public ProjectsHandler(Config config) {
        this(config, new AwsClients(config));
    }

    /** One set of SDK clients, one connection and one user-id cache for the function's three services. */
    private ProjectsHandler(Config config, AwsClients aws) {
        this(ProjectService.create(config, aws), config, aws);
    }

    private ProjectsHandler(ProjectService projects, Config config, AwsClients aws) {
        this(projects, BillingService.create(config, projects.database(), aws, projects.users()),
                AdminService.create(config, projects.database(), aws, projects.users()),
                config.get("AUTH_ROLES_CLAIM", Identity.DEFAULT_ROLES_CLAIM));
    }

    /** Without billing or model-secret configuration: billing answers 503, storing a model secret fails. */
    ProjectsHandler(ProjectService projects, String rolesClaim) {
        this(projects, BillingService.create(Config.of(Map.of()), projects.database()), rolesClaim);
    }

    ProjectsHandler(ProjectService projects, BillingService billingService, String rolesClaim) {
        this(projects, billingService, AdminService.create(Config.of(Map.of()), projects.database()), rolesClaim);
    }

    /** Without billing configuration (the billing routes answer 503), for the admin tests. */
    ProjectsHandler(ProjectService projects, AdminService admin, String rolesClaim) {
        this(projects, BillingService.create(Config.of(Map.of()), projects.database()), admin, rolesClaim);
    }

    ProjectsHandler(ProjectService projects, BillingService billingService, AdminService admin, String rolesClaim) {
        BillingEndpoints billing = new BillingEndpoints(billingService);
        this.projects = projects;
        this.admin = admin;
        this.router = new Router(rolesClaim, List.of(
                route("GET", "/v1/health", this::health),
                route("POST", "/v1/projects", this::createProject),
                route("GET", "/v1/projects", this::listProjects),
                route("GET", "/v1/projects/{id}", this::getProject),
                route("PATCH", "/v1/projects/{id}", this::renameProject),
                route("DELETE", "/v1/projects/{id}", this::deleteProject),
                route("GET", "/v1/projects/{id}/originals", this::listOriginals),
                route("GET", "/v1/originals/{id}", this::getOriginal),
                route("DELETE", "/v1/originals/{id}", this::deleteOriginal),
                route("POST", "/v1/originals/{id}/images", this::restage),
                route("GET", "/v1/images/{id}", this::getImage),
                route("DELETE", "/v1/images/{id}", this::deleteImage),
                route("POST", "/v1/images/{id}/retry", this::retryImage),
                route("GET", "/v1/me", request -> Responses.ok(projects.me(request.identity()))),
                route("PATCH", "/v1/me", this::updateMe),
                route("GET", "/v1/catalog", request -> Responses.ok(CatalogView.CURRENT)),
                route("GET", "/v1/billing/plans", request -> Responses.ok(projects.plans())),
                route("GET", "/v1/billing/usage", request -> Responses.ok(projects.usage(request.identity()))),
                route("POST", "/v1/billing/checkout", billing::checkout),
                route("POST", "/v1/billing/portal", billing::portal),
                route("GET", "/v1/billing/subscription", billing::subscription),
                route("GET", "/v1/billing/invoices", billing::invoices),
                route("GET", "/v1/admin/models", request -> Responses.ok(admin.models(request.identity()))),
                route("PUT", "/v1/admin/models/active", this::activateModel),
                route("GET", "/v1/admin/models/{model}/config", this::modelConfig),
                route("PUT", "/v1/admin/models/{model}/config", this::saveModelConfig)));
        this.priming = new ProjectsPriming(router);
        Core.getGlobalContext().register(priming);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return Observability.invocation(context, () -> router.handle(event));
    }

    private APIGatewayV2HTTPResponse health(ApiRequest request) {
        boolean up = projects.databaseUp();
        return Responses.json(up ? 200 : 503, Map.of("status", up ? "ok" : "degraded",
                "database", up ? "ok" : "unavailable"));
    }

    private APIGatewayV2HTTPResponse createProject(ApiRequest request) {
        Identity identity = request.identity();
        return Responses.created(projects.create(identity, projectName(request.jsonObject())));
    }

    private APIGatewayV2HTTPResponse listProjects(ApiRequest request) {
        Identity identity = request.identity();
        Paging paging = paging(request);
        return Responses.ok(projects.list(identity, paging.cursor(), paging.limit()));
    }

    private APIGatewayV2HTTPResponse getProject(ApiRequest request) {
        return Responses.ok(projects.get(request.identity(), request.pathId("id", "The project")));
    }

    private APIGatewayV2HTTPResponse renameProject(ApiRequest request) {
        Identity identity = request.identity();
        var projectId = request.pathId("id", "The project");
        return Responses.ok(projects.rename(identity, projectId, projectName(request.jsonObject())));
    }

    private APIGatewayV2HTTPResponse deleteProject(ApiRequest request) {
        projects.deleteProject(request.identity(), request.pathId("id", "The project"));
        return Responses.noContent();
    }

    private APIGatewayV2HTTPResponse listOriginals(ApiRequest request) {
        Identity identity = request.identity();
        var projectId = request.pathId("id", "The project");
        Paging paging = paging(request);
        return Responses.ok(projects.originals(identity, projectId, paging.cursor(), paging.limit(),
                paging.updatedSince()));
    }

    private APIGatewayV2HTTPResponse getOriginal(ApiRequest request) {
        return Responses.ok(projects.original(request.identity(), request.pathId("id", "The original")));
    }

    private APIGatewayV2HTTPResponse deleteOriginal(ApiRequest request) {
        projects.deleteOriginal(request.identity(), request.pathId("id", "The original"));
        return Responses.noContent();
    }

    private APIGatewayV2HTTPResponse restage(ApiRequest request) {
        Identity identity = request.identity();
        var originalId = request.pathId("id", "The original");
        return Responses.created(projects.restage(identity, originalId, request.jsonObject()));
    }

    private APIGatewayV2HTTPResponse getImage(ApiRequest request) {
        return Responses.ok(projects.image(request.identity(), request.pathId("id", "The image")));
    }

    /** The role is checked before the body is read: a non-admin learns nothing from a 400. */
    private APIGatewayV2HTTPResponse activateModel(ApiRequest request) {
        Identity identity = AdminService.requireAdmin(request.identity());
        return Responses.ok(admin.activate(identity, request.jsonObject()));
    }

    private APIGatewayV2HTTPResponse modelConfig(ApiRequest request) {
        return Responses.ok(admin.config(request.identity(), request.pathParameter("model")));
    }

    private APIGatewayV2HTTPResponse saveModelConfig(ApiRequest request) {
        Identity identity = AdminService.requireAdmin(request.identity());
        return Responses.ok(admin.saveConfig(identity, request.pathParameter("model"), request.jsonObject()));
    }

    private APIGatewayV2HTTPResponse deleteImage(ApiRequest request) {
        projects.deleteImage(request.identity(), request.pathId("id", "The image"));
        return Responses.noContent();
    }

    private APIGatewayV2HTTPResponse retryImage(ApiRequest request) {
        return Responses.json(202, projects.retry(request.identity(), request.pathId("id", "The image")));
    }

    private APIGatewayV2HTTPResponse updateMe(ApiRequest request) {
        Identity identity = request.identity();
        return Responses.ok(projects.updateMe(identity, ProfilePatch.parse(request.jsonObject())));
    }

    static String projectName(JsonNode body) {
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual()) {
            throw new ApiException.ValidationFailed(List.of(new FieldError("name", "is required text")));
        }
        String trimmed = name.asText().strip();
        if (trimmed.isEmpty() || trimmed.length() > 100) {
            throw new ApiException.ValidationFailed(List.of(new FieldError("name", "must be 1 to 100 characters")));
        }
        return trimmed;
    }

    /** {@code ?limit=}: 20 when absent, 1 to 100; a bad one is added to {@code errors}. */
    static int limit(ApiRequest request, List<FieldError> errors) {
        String raw = request.query("limit").orElse(null);
        if (raw == null) return DEFAULT_LIMIT;
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) return limit;
            errors.add(new FieldError("limit", "must be 1 to " + MAX_LIMIT));
        } catch (NumberFormatException e) {
            errors.add(new FieldError("limit", "must be a whole number from 1 to " + MAX_LIMIT));
        }
        return DEFAULT_LIMIT;
    }

    /** A page request; {@code updatedSince} is only read by the originals list. */
    record Paging(Cursor cursor, int limit, Instant updatedSince) {}

    static Paging paging(ApiRequest request) {
        List<FieldError> errors = new ArrayList<>();
        int limit = limit(request, errors);
        Cursor cursor = null;
        String rawCursor = request.query("cursor").orElse(null);
        if (rawCursor != null) {
            cursor = Cursor.decode(rawCursor).orElse(null);
            if (cursor == null) errors.add(new FieldError("cursor", "is not a cursor this API returned"));
        }
        Instant updatedSince = null;
        String rawSince = request.query("updated_since").orElse(null);
        if (rawSince != null) {
            try {
                updatedSince = OffsetDateTime.parse(rawSince).toInstant();
            } catch (DateTimeParseException e) {
                errors.add(new FieldError("updated_since", "must be an RFC 3339 timestamp, e.g. 2026-11-25T10:00:00Z"));
            }
        }
        if (!errors.isEmpty()) throw new ApiException.ValidationFailed(errors);
        return new Paging(cursor, limit, updatedSince);
    }
}
