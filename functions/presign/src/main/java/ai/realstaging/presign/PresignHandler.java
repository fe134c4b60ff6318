package ai.realstaging.presign;

import static ai.realstaging.common.http.Router.route;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.config.Config;
import ai.realstaging.common.http.ApiRequest;
import ai.realstaging.common.http.Responses;
import ai.realstaging.common.http.Router;
import ai.realstaging.common.observability.Observability;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.List;
import org.crac.Core;

/** HTTP API entry point for presigning: uploads (one or a batch) and downloads. */
public final class PresignHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private final UploadService uploads;
    private final Router router;
    private final PresignPriming priming;

    public PresignHandler() {
        this(Config.fromEnvironment());
    }

    public PresignHandler(Config config) {
        this(UploadService.create(config), config.get("AUTH_ROLES_CLAIM", Identity.DEFAULT_ROLES_CLAIM));
    }

    PresignHandler(UploadService uploads, String rolesClaim) {
        this.uploads = uploads;
        this.router = new Router(rolesClaim, List.of(
                route("POST", "/v1/projects/{id}/uploads", this::startUpload),
                route("POST", "/v1/projects/{id}/uploads/batch", this::startBatch),
                route("GET", "/v1/images/{id}/download", this::download)));
        this.priming = new PresignPriming(router);
        Core.getGlobalContext().register(priming);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return Observability.invocation(context, () -> router.handle(event));
    }

    private APIGatewayV2HTTPResponse startUpload(ApiRequest request) {
        var identity = request.identity();
        var projectId = request.pathId("id", "The project");
        return Responses.created(uploads.start(identity, projectId, request.jsonObject()));
    }

    private APIGatewayV2HTTPResponse startBatch(ApiRequest request) {
        var identity = request.identity();
        var projectId = request.pathId("id", "The project");
        return Responses.ok(uploads.startBatch(identity, projectId, request.jsonObject(), request.requestId()));
    }

    private APIGatewayV2HTTPResponse download(ApiRequest request) {
        var identity = request.identity();
        var imageId = request.pathId("id", "The image");
        return Responses.redirect(uploads.download(identity, imageId, request.query("kind").orElse("staged")));
    }
}
