package example.ocr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tests of a JDK-only OCR client against nhn-ocr-emulator (README.md of this example). */
class OcrClientTest {
    static final String BASE_URL = env("EMULATOR_URL", "http://127.0.0.1:8080");
    static final String ADMIN_TOKEN = env("EMULATOR_ADMIN_TOKEN", null);
    static final String APP_KEY = env("EMULATOR_APPKEY", "emulator-appkey");
    static final String SECRET_KEY = env("EMULATOR_SECRETKEY", "emulator-secretkey");
    static final String ACCESS_KEY_ID = env("EMULATOR_USER_ACCESS_KEY_ID", "emulator-user-access-key");
    static final String SECRET_ACCESS_KEY = env("EMULATOR_SECRET_ACCESS_KEY", "emulator-secret-access-key");

    static final Map<String, Object> SUCCESS = Map.of("isSuccessful", true, "resultCode", 0L, "resultMessage", "SUCCESS");

    private final OcrClient client = OcrClient.v20(BASE_URL, APP_KEY, SECRET_KEY);

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = OcrClientTest.class.getResourceAsStream("/" + name)) {
            assertNotNull(in, name + " is not on the test class path (src/test/resources)");
            return in.readAllBytes();
        }
    }

    static boolean luhnValid(String number) {
        int sum = 0;
        for (int i = 0; i < number.length(); i++) {
            int digit = number.charAt(number.length() - 1 - i) - '0';
            if (i % 2 == 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
            sum += digit;
        }
        return sum % 10 == 0;
    }

    static List<String> cardNums(OcrClient.Answer answer) throws Exception {
        List<String> groups = new ArrayList<>();
        for (Map<String, Object> group : OcrClient.list(answer.result().get("cardNums"))) groups.add(answer.decrypt((String) group.get("value")));
        return groups;
    }

    @SuppressWarnings("unchecked")
    static String validThru(OcrClient.Answer answer) throws Exception {
        return answer.decrypt((String) ((Map<String, Object>) answer.result().get("validThru")).get("value"));
    }

    static Map<String, String> idValues(OcrClient.Answer answer) throws Exception {
        Map<String, String> values = new TreeMap<>();
        for (Map<String, Object> field : OcrClient.list(answer.result().get("keyValues"))) values.put((String) field.get("key"), answer.decrypt((String) field.get("value")));
        return values;
    }

    static Map<String, String> residentClaim(Map<String, String> values) {
        return Map.of("name", values.get("name"), "residentNumber", values.get("residentNumber"), "issueDate", values.get("issueDate"));
    }

    /** Every test starts from a clean app key: no key versions, Request-Keys or queued scenarios. */
    @BeforeEach
    void resetTheAppKey() throws Exception {
        OcrClient.resetEmulator(BASE_URL, ADMIN_TOKEN, APP_KEY);
    }

    @Test
    void creditCardV20DecryptsALuhnValidNumber() throws Exception {
        OcrClient.Answer answer = client.creditCard(fixture("card-856x540.jpg"), Map.of());

        assertEquals(200, answer.status());
        assertEquals(SUCCESS, answer.header());
        // The guide: fileType of the image sent; "normal" resolution from 760x480 px (this one is 856x540).
        assertEquals("jpg", answer.result().get("fileType"));
        assertEquals("normal", answer.result().get("resolution"));
        List<String> groups = cardNums(answer);
        assertEquals(List.of(4, 4, 4, 4), groups.stream().map(String::length).toList());
        String total = answer.decrypt((String) answer.result().get("totalCardNum"));
        assertEquals(String.join("", groups), total);
        assertTrue(luhnValid(total), total + " fails the Luhn check");
        assertTrue(validThru(answer).matches("(0[1-9]|1[0-2])/\\d\\d"), "validThru " + validThru(answer));
    }

    @Test
    void scenarioHeaderPlaysTheDocumentedAmexCard() throws Exception {
        // scenarios/credit-card/amex.yaml: "cardNumber: 3782 822463 10005", "validThru: 09/29".
        OcrClient.Answer answer = client.creditCard(fixture("card-856x540.jpg"), Map.of("X-Emulator-Scenario", "credit-card/amex"));

        assertEquals(SUCCESS, answer.header());
        assertEquals(List.of("3782", "822463", "10005"), cardNums(answer));
        assertEquals("378282246310005", answer.decrypt((String) answer.result().get("totalCardNum")));
        assertEquals("09/29", validThru(answer));
    }

    @Test
    void idCardThenAuthenticityUsesTheRequestKeyOnce() throws Exception {
        OcrClient.Answer card = client.idCard(fixture("id-resident-900x570.jpg"), Map.of());
        assertEquals(SUCCESS, card.header());
        assertEquals("resident", card.result().get("idType"));
        Map<String, String> values = idValues(card);
        assertEquals(Set.of("name", "residentNumber", "issueDate", "issuer"), values.keySet());
        assertNotNull(card.requestKey(), "no Request-Key header");

        OcrClient.Answer first = client.authenticity(card.requestKey(), "resident", residentClaim(values));
        assertEquals(SUCCESS, first.header());
        assertEquals(Boolean.TRUE, first.result().get("isAuthenticity"));

        OcrClient.Answer second = client.authenticity(card.requestKey(), "resident", residentClaim(values));
        assertEquals(200, second.status());
        assertEquals(Map.of("header", Map.of("isSuccessful", false, "resultCode", 4000122L, "resultMessage", "Request Key is invalid or expired.")), second.body());
    }

    @Test
    void v21WithATokenFromTheEmulatedIssuer() throws Exception {
        Map<String, Object> token = OcrClient.issueToken(BASE_URL, ACCESS_KEY_ID, SECRET_ACCESS_KEY);
        assertEquals("Bearer", token.get("token_type"));
        assertInstanceOf(Long.class, token.get("expires_in"));

        OcrClient.Answer answer = OcrClient.v21(BASE_URL, APP_KEY, (String) token.get("access_token")).creditCard(fixture("card-856x540.jpg"), Map.of());
        assertEquals(SUCCESS, answer.header());
        assertTrue(luhnValid(answer.decrypt((String) answer.result().get("totalCardNum"))));

        OcrClient.Answer refused = OcrClient.v21(BASE_URL, APP_KEY, "not-a-token").publicKey("credit-card");
        assertEquals(200, refused.status());
        assertEquals(4010006L, refused.resultCode());
    }

    @Test
    void aWrongKeyVersionAnswers4000301OnHttp200() throws Exception {
        OcrClient.Answer answer = client.creditCardWithKeyVersion(fixture("card-856x540.jpg"), "999");

        assertEquals(200, answer.status());
        assertEquals(Map.of("isSuccessful", false, "resultCode", 4000301L, "resultMessage", "Invalid key version."), answer.header());
        assertNull(answer.result());
    }

    @Test
    void resetForgetsRequestKeys() throws Exception {
        OcrClient.Answer card = client.idCard(fixture("id-resident-900x570.jpg"), Map.of());
        Map<String, String> values = idValues(card);

        OcrClient.resetEmulator(BASE_URL, ADMIN_TOKEN, APP_KEY);

        assertEquals(4000122L, client.authenticity(card.requestKey(), "resident", residentClaim(values)).resultCode());
    }
}
