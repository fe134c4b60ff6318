// unit: identity from JWT authorizer claims, no database
package ai.realstaging.common.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentityTest {
    private static final String ROLES = Identity.DEFAULT_ROLES_CLAIM;

    @Test
    void httpApiArrayClaimFormMakesAnAdmin() {
        Identity identity = Identity.fromClaims(Map.of("sub", "auth0|1", ROLES, "[admin user]"), ROLES);

        assertThat(identity.roles()).containsExactlyInAnyOrder("admin", "user");
        assertThat(identity.isAdmin()).isTrue();
    }

    @Test
    void jsonArrayTextIsReadToo() {
        Identity identity = Identity.fromClaims(Map.of("sub", "auth0|1", ROLES, "[\"user\", \"admin\"]"), ROLES);

        assertThat(identity.roles()).containsExactlyInAnyOrder("admin", "user");
        assertThat(identity.isAdmin()).isTrue();
    }

    @Test
    void aSingleRoleWithoutBrackets() {
        assertThat(Identity.fromClaims(Map.of("sub", "s", ROLES, "admin"), ROLES).isAdmin()).isTrue();
    }

    @Test
    void noRolesClaimMeansNoRolesAndNoAdmin() {
        Identity identity = Identity.fromClaims(Map.of("sub", "auth0|1", "email", "a@example.com"), ROLES);

        assertThat(identity.roles()).isEmpty();
        assertThat(identity.isAdmin()).isFalse();
        assertThat(identity.email()).isEqualTo("a@example.com");
    }

    @Test
    void emptyRoleListIsNotAdmin() {
        assertThat(Identity.fromClaims(Map.of("sub", "s", ROLES, "[]"), ROLES).roles()).isEmpty();
    }

    @Test
    void aRoleThatMerelyContainsAdminIsNotAdmin() {
        assertThat(Identity.fromClaims(Map.of("sub", "s", ROLES, "[administrator not-admin]"), ROLES).isAdmin()).isFalse();
    }

    @Test
    void rolesAreReadFromTheConfiguredClaimOnly() {
        Map<String, String> claims = Map.of("sub", "s", "roles", "[admin]");

        assertThat(Identity.fromClaims(claims, ROLES).isAdmin()).isFalse();
        assertThat(Identity.fromClaims(claims, "roles").isAdmin()).isTrue();
    }

    @Test
    void withoutSubjectThereIsNoIdentity() {
        Map<String, String> blank = new HashMap<>();
        blank.put("sub", " ");

        assertThat(Identity.fromClaims(null, ROLES)).isNull();
        assertThat(Identity.fromClaims(Map.of("email", "a@example.com"), ROLES)).isNull();
        assertThat(Identity.fromClaims(blank, ROLES)).isNull();
    }
}
