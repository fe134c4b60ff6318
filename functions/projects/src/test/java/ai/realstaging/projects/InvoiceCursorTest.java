// unit: the invoice list's opaque cursor
package ai.realstaging.projects;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class InvoiceCursorTest {

    @Test
    void aCursorWeMadeDecodesToItsInvoiceId() {
        assertThat(InvoiceCursor.decode(InvoiceCursor.encode("in_1SgQm3LkN4pR7tYb"))).hasValue("in_1SgQm3LkN4pR7tYb");
    }

    @Test
    void anythingElseIsNotACursor() {
        String foreign = Base64.getUrlEncoder().encodeToString("invoice:cus_123".getBytes(StandardCharsets.UTF_8));
        String injected = Base64.getUrlEncoder().encodeToString("invoice:in_1&limit=100".getBytes(StandardCharsets.UTF_8));
        assertThat(InvoiceCursor.decode("in_1SgQm3LkN4pR7tYb")).isEmpty();
        assertThat(InvoiceCursor.decode(foreign)).isEmpty();
        assertThat(InvoiceCursor.decode(injected)).isEmpty();
        assertThat(InvoiceCursor.decode("%%%")).isEmpty();
    }
}
