// unit: reads template.yaml from the repository root and small templates written to a temp dir
package ai.realstaging.local.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.realstaging.local.template.SamTemplate.BucketNotification;
import ai.realstaging.local.template.SamTemplate.FunctionDef;
import ai.realstaging.local.template.SamTemplate.HttpRoute;
import ai.realstaging.local.template.SamTemplate.JwtAuthorizer;
import ai.realstaging.local.template.SamTemplate.LayerDef;
import ai.realstaging.local.template.SamTemplate.QueueDef;
import ai.realstaging.local.template.SamTemplate.SqsSource;

class SamTemplateTest {

    private static final SamTemplate TEMPLATE = SamTemplate.load(RepositoryRoot.template());

    @TempDir
    Path tmp;

    private SamTemplate parse(String yaml) throws IOException {
        Path file = tmp.resolve("template.yaml");
        Files.writeString(file, yaml);
        return SamTemplate.load(file);
    }

    @Test
    void scheduleEventsAreReadWithTheirRateAndState() throws IOException {
        SamTemplate t = parse("""
                Resources:
                  Sweeper:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B::handleRequest
                      Events:
                        Often:
                          Type: Schedule
                          Properties:
                            Schedule: rate(5 minutes)
                        Daily:
                          Type: Schedule
                          Properties:
                            Schedule: cron(0 3 * * ? *)
                            Enabled: false
                        Hourly:
                          Type: ScheduleV2
                          Properties:
                            ScheduleExpression: rate(1 hour)
                            State: DISABLED
                        Api:
                          Type: HttpApi
                          Properties:
                            Path: /x
                            Method: GET
                """);

        assertThat(t.schedules()).containsExactly(
                new SamTemplate.ScheduleSource("Sweeper", "Often", "Schedule", "rate(5 minutes)", true),
                new SamTemplate.ScheduleSource("Sweeper", "Daily", "Schedule", "cron(0 3 * * ? *)", false),
                new SamTemplate.ScheduleSource("Sweeper", "Hourly", "ScheduleV2", "rate(1 hour)", false));
        assertThat(t.schedules().get(0).rate()).contains(java.time.Duration.ofMinutes(5));
        assertThat(t.schedules().get(1).rate()).isEmpty();
        assertThat(t.schedules().get(2).rate()).contains(java.time.Duration.ofHours(1));
    }

    @Test
    void shortFormTagsBecomeLongFormMaps() throws IOException {
        SamTemplate t = parse("""
                Resources:
                  R:
                    Properties:
                      Ref: !Ref Param
                      GetAttDotted: !GetAtt Db.Endpoint.Address
                      GetAttList: !GetAtt [Queue, Arn]
                      Sub: !Sub arn:${AWS::Partition}:s3:::${Bucket}/*
                      SubList: !Sub [ "${X}", { X: !Ref Y } ]
                      Join: !Join [ ",", [ a, !Ref B ] ]
                      Select: !Select [ 6, !Split [ ":", !GetAtt Proxy.DBProxyArn ] ]
                      If: !If [ IsProd, !Ref P, !Ref AWS::NoValue ]
                      Cond: !And [ !Equals [ !Ref S, prod ], !Not [ !Condition Other ], !Or [ !Condition A, !Condition B ] ]
                      FindInMap: !FindInMap [ M, K1, K2 ]
                      Import: !ImportValue shared-vpc
                      Base64: !Base64 hello
                      Cidr: !Cidr [ 10.0.0.0/16, 4, 8 ]
                      Azs: !GetAZs ''
                """);
        Map<String, Object> p = props(t, "R");

        assertThat(p.get("Ref")).isEqualTo(Map.of("Ref", "Param"));
        assertThat(p.get("GetAttDotted")).isEqualTo(Map.of("Fn::GetAtt", List.of("Db", "Endpoint.Address")));
        assertThat(p.get("GetAttList")).isEqualTo(Map.of("Fn::GetAtt", List.of("Queue", "Arn")));
        assertThat(p.get("Sub")).isEqualTo(Map.of("Fn::Sub", "arn:${AWS::Partition}:s3:::${Bucket}/*"));
        assertThat(p.get("SubList")).isEqualTo(Map.of("Fn::Sub", List.of("${X}", Map.of("X", Map.of("Ref", "Y")))));
        assertThat(p.get("Join")).isEqualTo(Map.of("Fn::Join", List.of(",", List.of("a", Map.of("Ref", "B")))));
        assertThat(p.get("Select")).isEqualTo(Map.of("Fn::Select", List.of(6,
                Map.of("Fn::Split", List.of(":", Map.of("Fn::GetAtt", List.of("Proxy", "DBProxyArn")))))));
        assertThat(p.get("If")).isEqualTo(Map.of("Fn::If",
                List.of("IsProd", Map.of("Ref", "P"), Map.of("Ref", "AWS::NoValue"))));
        assertThat(p.get("Cond")).isEqualTo(Map.of("Fn::And", List.of(
                Map.of("Fn::Equals", List.of(Map.of("Ref", "S"), "prod")),
                Map.of("Fn::Not", List.of(Map.of("Condition", "Other"))),
                Map.of("Fn::Or", List.of(Map.of("Condition", "A"), Map.of("Condition", "B"))))));
        assertThat(p.get("FindInMap")).isEqualTo(Map.of("Fn::FindInMap", List.of("M", "K1", "K2")));
        assertThat(p.get("Import")).isEqualTo(Map.of("Fn::ImportValue", "shared-vpc"));
        assertThat(p.get("Base64")).isEqualTo(Map.of("Fn::Base64", "hello"));
        assertThat(p.get("Cidr")).isEqualTo(Map.of("Fn::Cidr", List.of("10.0.0.0/16", 4, 8)));
        assertThat(p.get("Azs")).isEqualTo(Map.of("Fn::GetAZs", ""));
    }

    @Test
    void getAttWithoutAttributeIsRejected() {
        assertThatThrownBy(() -> parse("Resources: { R: { Properties: { A: !GetAtt Queue } } }"))
                .hasMessageContaining("!GetAtt needs Resource.Attribute");
    }

    @Test
    void parsedTemplateCannotBeModified() {
        assertThatThrownBy(() -> TEMPLATE.document().put("Resources", Map.of()))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> TEMPLATE.resource("MediaBucket").put("DependsOn", "x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void readsTheHttpRoutesAsWritten() {
        // A sample of routes with and without the authorizer: the full set is held to openapi.yaml elsewhere.
        assertThat(TEMPLATE.function("ProjectsFunction").orElseThrow().routes()).contains(
                new HttpRoute("GET", "/v1/health", false),
                new HttpRoute("POST", "/v1/projects", true),
                new HttpRoute("GET", "/v1/projects/{id}", true),
                new HttpRoute("DELETE", "/v1/projects/{id}", true),
                new HttpRoute("GET", "/v1/projects/{id}/originals", true),
                new HttpRoute("PATCH", "/v1/me", true),
                new HttpRoute("GET", "/v1/catalog", false),
                new HttpRoute("GET", "/v1/billing/plans", false),
                new HttpRoute("PUT", "/v1/admin/models/active", true),
                new HttpRoute("GET", "/v1/admin/models/{model}/config", true));
        assertThat(TEMPLATE.function("PresignFunction").orElseThrow().routes()).containsExactlyInAnyOrder(
                new HttpRoute("POST", "/v1/projects/{id}/uploads", true),
                new HttpRoute("POST", "/v1/projects/{id}/uploads/batch", true),
                new HttpRoute("GET", "/v1/images/{id}/download", true));
        // Stripe signs its events instead of sending a token.
        assertThat(TEMPLATE.function("StripeWebhookFunction").orElseThrow().routes())
                .containsExactly(new HttpRoute("POST", "/v1/webhooks/stripe", false));
        assertThat(TEMPLATE.function("StageImageFunction").orElseThrow().routes()).isEmpty();
    }

    @Test
    void readsTheSqsSourceAsWritten() {
        assertThat(TEMPLATE.function("StageImageFunction").orElseThrow().sqsSources())
                .containsExactly(new SqsSource("StagingQueue", 10, true));
        assertThat(TEMPLATE.function("ProjectsFunction").orElseThrow().sqsSources()).isEmpty();
    }

    @Test
    void readsTheQueuesAsWritten() {
        assertThat(TEMPLATE.queues()).containsExactlyInAnyOrder(
                new QueueDef("StagingQueue", 1800, Optional.of("StagingDeadLetterQueue"), 5, 4 * 24 * 3600),
                new QueueDef("StagingDeadLetterQueue", SamTemplate.SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
                        Optional.empty(), 0, 14 * 24 * 3600));
    }

    @Test
    void readsTheBucketNotificationAsWritten() {
        assertThat(TEMPLATE.bucketNotifications()).containsExactly(
                new BucketNotification("MediaBucket", "s3:ObjectCreated:*", "uploads/", "", "StagingQueue"));
    }

    @Test
    void readsTheLayersAsWritten() {
        assertThat(TEMPLATE.layers()).containsExactly(
                new LayerDef("CommonLayer", "layers/common/target/common-layer.zip"),
                new LayerDef("StripeLayer", "layers/stripe/target/stripe-layer.zip"));
        assertThat(TEMPLATE.layer("StripeLayer")).map(LayerDef::contentUri).contains("layers/stripe/target/stripe-layer.zip");
        assertThat(TEMPLATE.layer("MediaBucket")).isEmpty();
    }

    @Test
    void aFunctionsLayersAreGlobalsThenItsOwn() {
        assertThat(TEMPLATE.function("ProjectsFunction").orElseThrow().layers()).containsExactly("CommonLayer", "StripeLayer");
        assertThat(TEMPLATE.function("StripeWebhookFunction").orElseThrow().layers()).containsExactly("CommonLayer", "StripeLayer");
        assertThat(TEMPLATE.function("PresignFunction").orElseThrow().layers()).containsExactly("CommonLayer");
    }

    @Test
    void layersConcatenateAsSamDoesAndKeepArnsAsWritten() throws IOException {
        SamTemplate t = parse("""
                Globals:
                  Function:
                    Layers: [!Ref Shared]
                Resources:
                  Shared: { Type: AWS::Serverless::LayerVersion, Properties: { ContentUri: shared.zip } }
                  Extra: { Type: AWS::Serverless::LayerVersion, Properties: { ContentUri: extra.zip } }
                  Plain: { Type: AWS::Serverless::Function, Properties: { Handler: a.B } }
                  Both:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.C
                      Layers:
                        - !Ref Extra
                        - arn:aws:lambda:us-east-1:123456789012:layer:insights:1
                """);

        assertThat(t.function("Plain").orElseThrow().layers()).containsExactly("Shared");
        assertThat(t.function("Both").orElseThrow().layers())
                .containsExactly("Shared", "Extra", "arn:aws:lambda:us-east-1:123456789012:layer:insights:1");
    }

    @Test
    void aFunctionWithoutLayersAnywhereHasNone() throws IOException {
        SamTemplate t = parse("""
                Resources:
                  Fn: { Type: AWS::Serverless::Function, Properties: { Handler: a.B } }
                """);

        assertThat(t.function("Fn").orElseThrow().layers()).isEmpty();
    }

    @Test
    void readsTheJwtAuthorizerParameters() {
        assertThat(TEMPLATE.jwtAuthorizer()).contains(new JwtAuthorizer(
                "HttpApi", "Auth0Jwt", "AuthIssuer", List.of("AuthAudience"), "$request.header.Authorization"));
    }

    @Test
    void functionsInheritGlobalsAndOverrideThem() {
        FunctionDef projects = TEMPLATE.function("ProjectsFunction").orElseThrow();
        FunctionDef stage = TEMPLATE.function("StageImageFunction").orElseThrow();

        assertThat(TEMPLATE.runtime()).isEqualTo("java25");
        assertThat(projects.handlerClass()).isEqualTo("ai.realstaging.projects.ProjectsHandler");
        assertThat(projects.handlerMethod()).isEqualTo("handleRequest");
        assertThat(projects.codeUri()).isEqualTo("functions/projects/target/projects.zip");
        assertThat(projects.timeoutSeconds()).isEqualTo(20);
        assertThat(projects.memoryMb()).isEqualTo(1024);
        assertThat(projects.snapStart()).isTrue();
        assertThat(projects.autoPublishAlias()).contains("live");
        assertThat(stage.timeoutSeconds()).isEqualTo(300);
        assertThat(stage.memoryMb()).isEqualTo(2048);
        assertThat(stage.snapStart()).isFalse();
        assertThat(stage.autoPublishAlias()).isEmpty();
    }

    @Test
    void environmentMergesGlobalsWithTheFunctionAndKeepsIntrinsicsRaw() {
        FunctionDef stage = TEMPLATE.function("StageImageFunction").orElseThrow();

        assertThat(stage.environment())
                .containsEntry("POWERTOOLS_SERVICE_NAME", "stage-image")
                .containsEntry("POWERTOOLS_METRICS_NAMESPACE", "RealStaging")
                .containsEntry("DB_PORT", "5432")
                .containsEntry("DB_IAM_AUTH", "true")
                .containsEntry("REPLICATE_BASE_URL", "https://api.replicate.com")
                .containsEntry("BUCKET_NAME", Map.of("Ref", "MediaBucket"))
                .containsEntry("DB_HOST", Map.of("Fn::GetAtt", List.of("DatabaseProxy", "Endpoint")))
                .containsEntry("REPLICATE_API_TOKEN_SECRET_ARN", Map.of("Ref", "ReplicateApiTokenSecretArn"));
        assertThat(stage.literalEnvironment())
                .containsEntry("DB_PORT", "5432")
                .doesNotContainKeys("BUCKET_NAME", "DB_HOST");
    }

    @Test
    void functionValuesWinOverGlobalsAndLambdaDefaultsFillTheRest() throws IOException {
        SamTemplate t = parse("""
                Globals:
                  Function:
                    Environment: { Variables: { LEVEL: INFO, SHARED: shared, PORT: 5432 } }
                Resources:
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B
                      Environment: { Variables: { LEVEL: DEBUG } }
                """);
        FunctionDef fn = t.function("Fn").orElseThrow();

        assertThat(fn.environment()).containsExactly(
                Map.entry("LEVEL", "DEBUG"), Map.entry("SHARED", "shared"), Map.entry("PORT", "5432"));
        assertThat(fn.timeoutSeconds()).isEqualTo(SamTemplate.LAMBDA_DEFAULT_TIMEOUT_SECONDS);
        assertThat(fn.memoryMb()).isEqualTo(SamTemplate.LAMBDA_DEFAULT_MEMORY_MB);
        assertThat(fn.handlerMethod()).isEqualTo("handleRequest");
    }

    @Test
    void numbersGivenByParameterUseTheParameterDefault() throws IOException {
        SamTemplate t = parse("""
                Parameters:
                  Seconds: { Type: Number, Default: 42 }
                  Unset: { Type: Number }
                Resources:
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties: { Handler: a.B, Timeout: !Ref Seconds }
                  Other:
                    Type: AWS::Serverless::Function
                    Properties: { Handler: a.B, Timeout: !Ref Unset }
                """);

        assertThat(t.function("Fn").orElseThrow().timeoutSeconds()).isEqualTo(42);
        assertThatThrownBy(() -> t.function("Other")).hasMessageContaining("Unset has no default");
    }

    @Test
    void routesAreOpenWhenTheApiHasNoDefaultAuthorizer() throws IOException {
        SamTemplate t = parse("""
                Resources:
                  Api:
                    Type: AWS::Serverless::HttpApi
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: a.B
                      Events:
                        Open: { Type: HttpApi, Properties: { ApiId: !Ref Api, Method: get, Path: /open } }
                """);

        assertThat(t.function("Fn").orElseThrow().routes()).containsExactly(new HttpRoute("GET", "/open", false));
        assertThat(t.jwtAuthorizer()).isEmpty();
    }

    private static Map<String, Object> props(SamTemplate t, String logicalId) {
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) t.resource(logicalId).get("Properties");
        return p;
    }
}
