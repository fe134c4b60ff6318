package ai.realstaging.presign;

import ai.realstaging.common.http.Router;
import ai.realstaging.common.http.Priming;

/** SnapStart priming: validates and rejects a sample upload so parsing, validation and JSON are warm. */
final class PresignPriming extends Priming {
    PresignPriming(Router router) {
        super(router, "POST", "/v1/projects/00000000-0000-0000-0000-000000000000/uploads",
                "{\"filename\":\"room.jpg\",\"content_type\":\"image/gif\",\"size_bytes\":0,"
                        + "\"room_type\":\"living_room\",\"styles\":[\"modern\"]}");
    }
}
