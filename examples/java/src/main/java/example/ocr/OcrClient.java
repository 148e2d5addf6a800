package example.ocr;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A small client of the NHN Cloud Document OCR API v2.0 / v2.1 (credit card and ID card behind
 * the RSA + AES "electronic envelope"), written from the official guide (TOAST-DOCS/OCR
 * en/document-ocr-api-guide-v2.0.md and -v2.1.md) with the JDK alone. It works unchanged against
 * the live service and against nhn-ocr-emulator.
 *
 * <pre>{@code
 * OcrClient client = OcrClient.v20("http://127.0.0.1:8080", "emulator-appkey", "emulator-secretkey");
 * OcrClient.Answer answer = client.creditCard(imageBytes, Map.of());
 * String number = answer.decrypt((String) answer.result().get("totalCardNum"));
 * }</pre>
 */
public final class OcrClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String base;
    private final String[] authHeader;

    private OcrClient(String baseUrl, String version, String appKey, String headerName, String headerValue) {
        this.base = stripSlash(baseUrl) + "/" + version + "/appkeys/" + appKey;
        this.authHeader = new String[] {headerName, headerValue};
    }

    /** v2.0: the secret key as the {@code Authorization} header. */
    public static OcrClient v20(String baseUrl, String appKey, String secretKey) {
        return new OcrClient(baseUrl, "v2.0", appKey, "Authorization", secretKey);
    }

    /** v2.1: a User Access Key token as {@code X-NHN-Authorization: Bearer}. */
    public static OcrClient v21(String baseUrl, String appKey, String token) {
        return new OcrClient(baseUrl, "v2.1", appKey, "X-NHN-Authorization", "Bearer " + token);
    }

    /**
     * One request's symmetric key: 32 random bytes (new for each request, as the guide
     * recommends); AES-256-CBC with PKCS#7 padding (Java's PKCS5Padding) and IV = the key's
     * first 16 bytes.
     */
    public static final class Envelope {
        private final byte[] key = new byte[32];

        public Envelope() {
            RANDOM.nextBytes(key);
        }

        private Cipher aes(int mode) throws GeneralSecurityException {
            Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
            cipher.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(Arrays.copyOf(key, 16)));
            return cipher;
        }

        public byte[] encrypt(byte[] plain) throws GeneralSecurityException {
            return aes(Cipher.ENCRYPT_MODE).doFinal(plain);
        }

        public String encryptText(String text) throws GeneralSecurityException {
            return Base64.getEncoder().encodeToString(encrypt(text.getBytes(StandardCharsets.UTF_8)));
        }

        /** Decrypts one base64 value of an answer (e.g. totalCardNum) to text. */
        public String decrypt(String valueBase64) throws GeneralSecurityException {
            return new String(aes(Cipher.DECRYPT_MODE).doFinal(Base64.getDecoder().decode(valueBase64)), StandardCharsets.UTF_8);
        }

        /** The Symmetric-Key header: the key wrapped with RSA/ECB/PKCS1Padding under the public key (base64 DER X.509). */
        public String wrappedKey(String publicKeyBase64) throws GeneralSecurityException {
            PublicKey publicKey = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKeyBase64)));
            Cipher rsa = Cipher.getInstance("RSA/ECB/PKCS1Padding");
            rsa.init(Cipher.ENCRYPT_MODE, publicKey);
            return Base64.getEncoder().encodeToString(rsa.doFinal(key));
        }
    }

    /** An answer: HTTP status, the JSON body, the Request-Key header (id-card only) and the envelope that decrypts its values. */
    public record Answer(int status, Map<String, Object> body, String requestKey, Envelope envelope) {
        @SuppressWarnings("unchecked")
        public Map<String, Object> header() {
            return (Map<String, Object>) body.get("header");
        }

        /** The result code as a number (0 on success). */
        public long resultCode() {
            return ((Number) header().get("resultCode")).longValue();
        }

        /** The result object; null on failure. */
        @SuppressWarnings("unchecked")
        public Map<String, Object> result() {
            return (Map<String, Object>) body.get("result");
        }

        public String decrypt(String valueBase64) throws GeneralSecurityException {
            return envelope.decrypt(valueBase64);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT).header(authHeader[0], authHeader[1]);
    }

    private static Answer send(HttpRequest request, Envelope envelope) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        Map<String, Object> body = Json.object(response.body());
        return new Answer(response.statusCode(), body, response.headers().firstValue("Request-Key").orElse(null), envelope);
    }

    /** The raw public-key answer of {@code credit-card} or {@code id-card}. */
    public Answer publicKey(String service) throws IOException, InterruptedException {
        return send(request("/public-keys/" + service).GET().build(), null);
    }

    /**
     * Sets X-Key-Version (the current version, or {@code keyVersion} when not null, to show a
     * wrong one) and Symmetric-Key on a request.
     */
    private void envelopeHeaders(HttpRequest.Builder builder, String service, Envelope envelope, String keyVersion) throws IOException, InterruptedException, GeneralSecurityException {
        Answer key = publicKey(service);
        if (key.resultCode() != 0) throw new IllegalStateException("public key of " + service + ": " + key.header());
        builder.header("X-Key-Version", keyVersion != null ? keyVersion : (String) key.result().get("version"));
        builder.header("Symmetric-Key", envelope.wrappedKey((String) key.result().get("key")));
    }

    private Answer imageCall(String path, String service, byte[] image, Map<String, String> headers, String keyVersion) throws IOException, InterruptedException, GeneralSecurityException {
        Envelope envelope = new Envelope();
        String boundary = "----ocr" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"image\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        form.write(envelope.encrypt(image));
        form.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpRequest.Builder builder = request(path)
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(form.toByteArray()));
        headers.forEach(builder::header);
        envelopeHeaders(builder, service, envelope, keyVersion);
        return send(builder.build(), envelope);
    }

    /** Reads a credit card; {@code headers} adds request headers, e.g. the emulator's X-Emulator-Scenario. */
    public Answer creditCard(byte[] image, Map<String, String> headers) throws IOException, InterruptedException, GeneralSecurityException {
        return imageCall("/credit-card", "credit-card", image, headers, null);
    }

    /** A credit-card call with the given X-Key-Version instead of the current one. */
    public Answer creditCardWithKeyVersion(byte[] image, String keyVersion) throws IOException, InterruptedException, GeneralSecurityException {
        return imageCall("/credit-card", "credit-card", image, Map.of(), keyVersion);
    }

    /** Reads an ID card; the answer carries a Request-Key for the authenticity call. */
    public Answer idCard(byte[] image, Map<String, String> headers) throws IOException, InterruptedException, GeneralSecurityException {
        return imageCall("/id-card", "id-card", image, headers, null);
    }

    /** Checks the card read under {@code requestKey}; every field but idType travels encrypted (guide, "Verify Authenticity API"). */
    public Answer authenticity(String requestKey, String idType, Map<String, String> values) throws IOException, InterruptedException, GeneralSecurityException {
        Envelope envelope = new Envelope();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("idType", idType);
        for (Map.Entry<String, String> value : values.entrySet()) fields.put(value.getKey(), envelope.encryptText(value.getValue()));
        HttpRequest.Builder builder = request("/id-card/authenticity")
            .header("Content-Type", "application/json")
            .header("Request-Key", requestKey)
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(fields)));
        envelopeHeaders(builder, "id-card", envelope, null);
        return send(builder.build(), envelope);
    }

    /**
     * A User Access Key token for v2.1: POST /oauth2/token/create with Basic auth and
     * grant_type=client_credentials. The emulator serves the issuer on its own port; live it is
     * https://oauth.api.nhncloudservice.com. Answers the issuer's JSON
     * ({@code access_token}, {@code token_type}, {@code expires_in}).
     */
    public static Map<String, Object> issueToken(String oauthUrl, String accessKeyId, String secretAccessKey) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString((accessKeyId + ":" + secretAccessKey).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(stripSlash(oauthUrl) + "/oauth2/token/create")).timeout(TIMEOUT)
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
            .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) throw new IOException("token issuer answered HTTP " + response.statusCode() + ": " + response.body());
        return Json.object(response.body());
    }

    /**
     * Forgets one app key's key versions, Request-Keys, locks, queue, defaults and journal through
     * the emulator's admin API (not part of the live service); {@code adminToken}, when not null,
     * goes as {@code Authorization: Bearer}.
     */
    public static void resetEmulator(String baseUrl, String adminToken, String appKey) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(stripSlash(baseUrl) + "/__emulator/reset")).timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("appKey", appKey))));
        if (adminToken != null) builder.header("Authorization", "Bearer " + adminToken);
        HttpResponse<String> response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("reset answered HTTP " + response.statusCode() + " (EMULATOR_ADMIN_TOKEN set as the emulator's?): " + response.body());
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The list of a result field, e.g. {@code cardNums} or {@code keyValues}. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }
}
