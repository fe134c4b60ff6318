package ai.realstaging.projects;

import ai.realstaging.common.http.Priming;
import ai.realstaging.common.http.Router;

/** SnapStart priming: a project creation rejected by validation, before any database work. */
final class ProjectsPriming extends Priming {
    ProjectsPriming(Router router) {
        super(router, "POST", "/v1/projects", "{\"name\":\"   \"}");
    }
}
