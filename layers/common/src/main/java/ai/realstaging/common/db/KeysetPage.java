package ai.realstaging.common.db;

import java.util.List;
import java.util.function.Function;

/**
 * A page cut from rows fetched with {@code limit + 1}: the extra row only says that more exist, and
 * the cursor names the last row shown (null on the last page).
 */
public record KeysetPage<T>(List<T> rows, String nextCursor) {

    public static <T> KeysetPage<T> of(List<T> fetched, int limit, Function<T, Cursor> position) {
        if (fetched.size() <= limit) {
            return new KeysetPage<>(fetched, null);
        }
        List<T> rows = fetched.subList(0, limit);
        return new KeysetPage<>(rows, position.apply(rows.getLast()).encode());
    }
}
