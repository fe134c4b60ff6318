package ai.realstaging.projects;

import ai.realstaging.common.auth.Identity;
import ai.realstaging.common.http.ApiException;
import ai.realstaging.common.http.ApiException.FieldError;
import ai.realstaging.common.http.ApiRequest;
import ai.realstaging.common.http.Responses;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The billing routes of the projects function: read and check the request, call {@link BillingService}, answer. */
final class BillingEndpoints {
    private final BillingService billing;

    BillingEndpoints(BillingService billing) {
        this.billing = billing;
    }

    /** POST /v1/billing/checkout {"plan"} → 201 with a new session, 200 with the one still open for that plan. */
    APIGatewayV2HTTPResponse checkout(ApiRequest request) {
        Identity identity = request.identity();
        JsonNode plan = request.jsonObject().get("plan");
        if (plan == null || !plan.isTextual() || plan.asText().isBlank()) {
            throw new ApiException.ValidationFailed(List.of(new FieldError("plan", "is required: the id of a paid plan")));
        }
        BillingService.CheckoutView session = billing.checkout(identity, plan.asText().strip());
        return Responses.json(session.reused() ? 200 : 201, session);
    }

    APIGatewayV2HTTPResponse portal(ApiRequest request) {
        return Responses.created(billing.portal(request.identity()));
    }

    APIGatewayV2HTTPResponse subscription(ApiRequest request) {
        return Responses.ok(billing.subscription(request.identity()));
    }

    APIGatewayV2HTTPResponse invoices(ApiRequest request) {
        Identity identity = request.identity();
        List<FieldError> errors = new ArrayList<>();
        int limit = ProjectsHandler.limit(request, errors);
        String after = null;
        String rawCursor = request.query("cursor").orElse(null);
        if (rawCursor != null) {
            after = InvoiceCursor.decode(rawCursor).orElse(null);
            if (after == null) errors.add(new FieldError("cursor", "is not a cursor this API returned"));
        }
        if (!errors.isEmpty()) throw new ApiException.ValidationFailed(errors);
        return Responses.ok(billing.invoices(identity, after, limit));
    }
}
