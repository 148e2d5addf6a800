// Independent client of the NHN Cloud Document OCR API v2.0 using only the JDK (17+), written
// from the official guide:
//   https://github.com/TOAST-DOCS/OCR/blob/HEAD/en/document-ocr-api-guide-v2.0.md
// and docs/emulated-api.md (IV = first 16 bytes of the symmetric key; every answer is
// HTTP 200 with success/failure in header.isSuccessful/resultCode).
//
// Run without compiling (single-file source mode):
//   java test/interop/JdkClient.java credit-card BASE_URL APPKEY SECRETKEY IMAGE
//   java test/interop/JdkClient.java id-card     BASE_URL APPKEY SECRETKEY IMAGE
// Output is one `name=value` line per fact. Result codes are printed, not judged; the exit
// status is non-zero only for transport failures (or bad usage / unreadable answers).

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

public class JdkClient {

  /** Raised for anything that is not a result code: network errors, non-200, unparsable answers. */
  static final class TransportException extends Exception {
    TransportException(String message) { super(message); }
    TransportException(String message, Throwable cause) { super(message, cause); }
  }

  /** The public key answer: the RSA key and the version string sent back as X-Key-Version. */
  record PublicKeyInfo(PublicKey key, String version) {}

  /** One envelope: a fresh 32-byte key plus its RSA-wrapped base64 form for the header. */
  record Envelope(byte[] symmetricKey, String wrappedBase64, String keyVersion) {}

  /** An HTTP answer: body text plus the response headers we care about. */
  record Answer(String body, Optional<String> requestKey) {}

  // Korean names must survive whatever locale the caller runs in.
  static final PrintStream OUT =
      new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
  static final SecureRandom RANDOM = new SecureRandom();
  // Default HttpClient settings on purpose: an ordinary user would not tune them.
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  final String baseUrl;
  final String appKey;
  final String secretKey;

  JdkClient(String baseUrl, String appKey, String secretKey) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.appKey = appKey;
    this.secretKey = secretKey;
  }

  public static void main(String[] args) {
    if (args.length != 5) {
      System.err.println("usage: java JdkClient.java credit-card|id-card BASE_URL APPKEY SECRETKEY IMAGE");
      System.exit(2);
    }
    JdkClient client = new JdkClient(args[1], args[2], args[3]);
    try {
      byte[] image = Files.readAllBytes(Path.of(args[4]));
      String imageName = Path.of(args[4]).getFileName().toString();
      switch (args[0]) {
        case "credit-card" -> client.creditCard(image, imageName);
        case "id-card" -> client.idCard(image, imageName);
        default -> {
          System.err.println("unknown mode: " + args[0]);
          System.exit(2);
        }
      }
    } catch (TransportException | IOException e) {
      System.err.println("JdkClient: " + e.getMessage());
      System.exit(1);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Credit card: guide sections "Issue Public Key" and "Credit Card API".

  void creditCard(byte[] image, String imageName) throws TransportException {
    Envelope env = newEnvelope("credit-card");
    String body = postImage("/credit-card", env, image, imageName).body();
    String code = resultCode(body);
    OUT.println("resultCode=" + code);
    if (!"0".equals(code)) {
      return;
    }
    // Guide "Credit Card API / Response / Field": cardNums[].value, totalCardNum and
    // validThru.value are encrypted (AES-256/CBC/PKCS7Padding, base64).
    List<String> cardNums = Json.arrayElements(body, "cardNums");
    for (int i = 0; i < cardNums.size(); i++) {
      OUT.println("cardNums[" + i + "]=" + decrypt(env, Json.requireString(cardNums.get(i), "value")));
    }
    OUT.println("totalCardNum=" + decrypt(env, Json.requireString(body, "totalCardNum")));
    String validThru = Json.object(body, "validThru")
        .orElseThrow(() -> new TransportException("answer has no result.validThru object"));
    OUT.println("validThru=" + decrypt(env, Json.requireString(validThru, "value")));
  }

  // ---------------------------------------------------------------------------------------------
  // ID card: guide sections "ID Card Analysis API", "Verify Authenticity API" and
  // "ID Card Analysis API (Stand alone)".

  void idCard(byte[] image, String imageName) throws TransportException {
    Envelope env = newEnvelope("id-card");
    Answer answer = postImage("/id-card", env, image, imageName);
    String code = resultCode(answer.body());
    OUT.println("idCard.resultCode=" + code);
    // Guide "ID Card Analysis API / Response Header": Request-Key for the authenticity call.
    OUT.println("requestKey=" + answer.requestKey().orElse("none"));

    Map<String, String> values = new LinkedHashMap<>();
    String idType = null;
    if ("0".equals(code)) {
      idType = Json.requireString(answer.body(), "idType");
      OUT.println("idType=" + idType);
      // keyValues[].value is encrypted; key is plain.
      for (String kv : Json.arrayElements(answer.body(), "keyValues")) {
        String key = Json.requireString(kv, "key");
        String value = decrypt(env, Json.requireString(kv, "value"));
        values.put(key, value);
        OUT.println(key + "=" + value);
      }
    }

    if (idType != null && answer.requestKey().isPresent()) {
      String requestKey = answer.requestKey().get();
      // A fresh symmetric key for each authenticity call (guide "Caution": new key per request).
      String first = authenticity(requestKey, idType, values);
      OUT.println("authenticity1.resultCode=" + resultCode(first));
      OUT.println("authenticity1.isAuthenticity=" + Json.literal(first, "isAuthenticity").orElse("none"));
      // Guide: a Request-Key that got a normal answer cannot be reused.
      String second = authenticity(requestKey, idType, values);
      OUT.println("authenticity2.resultCode=" + resultCode(second));
    } else {
      OUT.println("authenticity1.resultCode=skipped");
      OUT.println("authenticity1.isAuthenticity=skipped");
      OUT.println("authenticity2.resultCode=skipped");
    }

    // Guide "ID Card Analysis API (Stand alone)": same request, never a Request-Key.
    Envelope standAloneEnv = newEnvelope("id-card");
    Answer standAlone = postImage("/id-card/stand-alone", standAloneEnv, image, imageName);
    OUT.println("standAlone.resultCode=" + resultCode(standAlone.body()));
    OUT.println("standAlone.requestKey=" + standAlone.requestKey().orElse("none"));
  }

  /**
   * Guide "Verify Authenticity API": JSON body; idType (and passport expirationDate) plain, every
   * other field AES-encrypted + base64 with the symmetric key of this request.
   */
  String authenticity(String requestKey, String idType, Map<String, String> values)
      throws TransportException {
    Envelope env = newEnvelope("id-card");
    Map<String, String> encrypted = new LinkedHashMap<>();
    Map<String, String> plain = new LinkedHashMap<>();
    plain.put("idType", idType);
    switch (idType) {
      case "resident" -> {
        encrypted.put("name", values.getOrDefault("name", ""));
        // 13 digits of the resident registration number.
        encrypted.put("residentNumber", digits(values.get("residentNumber")));
        // Issued date as YYYYMMDD.
        encrypted.put("issueDate", digits(values.get("issueDate")));
      }
      case "driver" -> {
        encrypted.put("name", values.getOrDefault("name", ""));
        // 7 digits: the first 6 plus the first digit of the back part.
        String rrn = digits(values.get("residentNumber"));
        encrypted.put("residentNumber", rrn.length() >= 7 ? rrn.substring(0, 7) : rrn);
        // 12 digits of the driver license number.
        encrypted.put("driverLicenseNumber", digits(values.get("driverLicenseNumber")));
        if (values.containsKey("serialNum")) {
          encrypted.put("serialNum", values.get("serialNum"));
        }
      }
      case "passport" -> {
        // The v2.0 guide's passport fields; expirationDate is the one documented as not encrypted.
        encrypted.put("name", values.getOrDefault("koreanName", ""));
        encrypted.put("passportNumber", values.getOrDefault("passportNo", ""));
        encrypted.put("birthDate", digits(values.get("dateOfBirthYMD")));
        encrypted.put("issueDate", digits(values.get("dateOfIssueYMD")));
        plain.put("expirationDate", digits(values.get("dateOfExpiryYMD")));
      }
      default -> { /* unknown idType: send idType only and let the service answer */ }
    }
    StringBuilder json = new StringBuilder("{");
    for (Map.Entry<String, String> e : plain.entrySet()) {
      appendJsonField(json, e.getKey(), e.getValue());
    }
    for (Map.Entry<String, String> e : encrypted.entrySet()) {
      appendJsonField(json, e.getKey(), encrypt(env, e.getValue()));
    }
    json.append('}');

    HttpRequest request = HttpRequest.newBuilder(uri("/id-card/authenticity"))
        .header("Authorization", secretKey)
        .header("X-Key-Version", env.keyVersion())
        .header("Symmetric-Key", env.wrappedBase64())
        .header("Request-Key", requestKey)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json.toString(), StandardCharsets.UTF_8))
        .build();
    return send(request).body();
  }

  // ---------------------------------------------------------------------------------------------
  // The envelope: guide "Issue Public Key" and the Request Header tables of each POST.

  /** GET /v2.0/appkeys/{appKey}/public-keys/{serviceName} with Authorization: {secretKey}. */
  PublicKeyInfo publicKey(String serviceName) throws TransportException {
    HttpRequest request = HttpRequest.newBuilder(uri("/public-keys/" + serviceName))
        .header("Authorization", secretKey)
        .GET()
        .build();
    String body = send(request).body();
    String code = resultCode(body);
    if (!"0".equals(code)) {
      throw new TransportException("public key (" + serviceName + ") answered resultCode=" + code + ": " + body);
    }
    // result.key: base64 of a DER X.509 SubjectPublicKeyInfo; result.version: a string.
    String keyBase64 = Json.requireString(body, "key");
    String version = Json.requireString(body, "version");
    try {
      PublicKey key = KeyFactory.getInstance("RSA")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(keyBase64)));
      return new PublicKeyInfo(key, version);
    } catch (Exception e) {
      throw new TransportException("result.key is not a base64 X.509 RSA public key", e);
    }
  }

  /** 32 random bytes, wrapped with RSA/ECB/PKCS1Padding, base64 for the Symmetric-Key header. */
  Envelope newEnvelope(String serviceName) throws TransportException {
    PublicKeyInfo pk = publicKey(serviceName);
    byte[] symmetricKey = new byte[32];
    RANDOM.nextBytes(symmetricKey);
    try {
      Cipher rsa = Cipher.getInstance("RSA/ECB/PKCS1Padding");
      rsa.init(Cipher.ENCRYPT_MODE, pk.key());
      String wrapped = Base64.getEncoder().encodeToString(rsa.doFinal(symmetricKey));
      return new Envelope(symmetricKey, wrapped, pk.version());
    } catch (Exception e) {
      throw new TransportException("RSA wrap failed", e);
    }
  }

  /**
   * AES-256/CBC/PKCS7Padding with the symmetric key, IV = its first 16 bytes (docs/emulated-api.md). The
   * JDK calls PKCS#7 "PKCS5Padding" for AES; the bytes are the same.
   */
  static Cipher aes(Envelope env, int mode) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
    cipher.init(mode, new SecretKeySpec(env.symmetricKey(), "AES"),
        new IvParameterSpec(Arrays.copyOfRange(env.symmetricKey(), 0, 16)));
    return cipher;
  }

  static byte[] encryptBytes(Envelope env, byte[] plain) throws TransportException {
    try {
      return aes(env, Cipher.ENCRYPT_MODE).doFinal(plain);
    } catch (Exception e) {
      throw new TransportException("AES encrypt failed", e);
    }
  }

  static String encrypt(Envelope env, String plain) throws TransportException {
    return Base64.getEncoder().encodeToString(encryptBytes(env, plain.getBytes(StandardCharsets.UTF_8)));
  }

  static String decrypt(Envelope env, String base64) throws TransportException {
    try {
      byte[] plain = aes(env, Cipher.DECRYPT_MODE).doFinal(Base64.getDecoder().decode(base64));
      return new String(plain, StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new TransportException("cannot decrypt value " + base64, e);
    }
  }

  /** Multipart POST with the encrypted image in field `image` (guide: the "Field" tables). */
  Answer postImage(String path, Envelope env, byte[] image, String imageName) throws TransportException {
    byte[] cipherText = encryptBytes(env, image);
    String boundary = "----JdkClientBoundary" + Long.toHexString(RANDOM.nextLong());
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    // Hand-built multipart/form-data (RFC 7578): CRLF line ends, one part, closing delimiter.
    String partHead = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"image\"; filename=\"" + imageName.replace("\"", "") + "\"\r\n"
        + "Content-Type: application/octet-stream\r\n"
        + "\r\n";
    body.writeBytes(partHead.getBytes(StandardCharsets.UTF_8));
    body.writeBytes(cipherText);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));

    HttpRequest request = HttpRequest.newBuilder(uri(path))
        .header("Authorization", secretKey)
        .header("X-Key-Version", env.keyVersion())
        .header("Symmetric-Key", env.wrappedBase64())
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
        .build();
    return send(request);
  }

  URI uri(String pathAfterAppKey) {
    return URI.create(baseUrl + "/v2.0/appkeys/" + appKey + pathAfterAppKey);
  }

  /** Every documented answer is HTTP 200; anything else is a transport-level failure here. */
  static Answer send(HttpRequest request) throws TransportException {
    HttpResponse<String> response;
    try {
      response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new TransportException(request.method() + " " + request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted", e);
    }
    if (response.statusCode() != 200) {
      throw new TransportException(request.method() + " " + request.uri() + " answered HTTP "
          + response.statusCode() + ": " + response.body());
    }
    return new Answer(response.body(), response.headers().firstValue("Request-Key"));
  }

  /** header.resultCode as text; its absence means the answer is not the documented envelope. */
  static String resultCode(String body) throws TransportException {
    return Json.literal(body, "resultCode")
        .orElseThrow(() -> new TransportException("answer has no header.resultCode: " + body));
  }

  static String digits(String s) {
    return s == null ? "" : s.replaceAll("[^0-9]", "");
  }

  static void appendJsonField(StringBuilder json, String name, String value) {
    if (json.length() > 1) {
      json.append(',');
    }
    json.append('"').append(Json.escape(name)).append("\":\"").append(Json.escape(value)).append('"');
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Just enough JSON reading for these answers (no library in the JDK): regex lookups of named
   * fields plus a brace-depth scan to split arrays of objects. Field names used here are unique
   * within the text they are applied to.
   */
  static final class Json {
    private static final String STRING = "\"((?:[^\"\\\\]|\\\\.)*)\"";

    static Optional<String> string(String json, String name) {
      Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*" + STRING).matcher(json);
      return m.find() ? Optional.of(unescape(m.group(1))) : Optional.empty();
    }

    static String requireString(String json, String name) throws TransportException {
      return string(json, name)
          .orElseThrow(() -> new TransportException("no string field \"" + name + "\" in: " + json));
    }

    /** A number / true / false / null value, as written. */
    static Optional<String> literal(String json, String name) {
      Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(-?[0-9][0-9.eE+-]*|true|false|null)")
          .matcher(json);
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The text of the object value of field `name`, braces included. */
    static Optional<String> object(String json, String name) {
      Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\\{").matcher(json);
      if (!m.find()) {
        return Optional.empty();
      }
      int start = m.end() - 1;
      int end = matching(json, start);
      return end < 0 ? Optional.empty() : Optional.of(json.substring(start, end + 1));
    }

    /** The texts of the top-level objects inside the array value of field `name`. */
    static List<String> arrayElements(String json, String name) throws TransportException {
      Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\\[").matcher(json);
      if (!m.find()) {
        throw new TransportException("no array field \"" + name + "\" in: " + json);
      }
      List<String> out = new ArrayList<>();
      int i = m.end();
      while (i < json.length()) {
        char c = json.charAt(i);
        if (c == ']') {
          return out;
        }
        if (c == '{') {
          int end = matching(json, i);
          if (end < 0) {
            break;
          }
          out.add(json.substring(i, end + 1));
          i = end + 1;
        } else {
          i++;
        }
      }
      throw new TransportException("unterminated array \"" + name + "\"");
    }

    /** Index of the brace closing the one at `open`, skipping string contents; -1 if none. */
    private static int matching(String json, int open) {
      int depth = 0;
      boolean inString = false;
      for (int i = open; i < json.length(); i++) {
        char c = json.charAt(i);
        if (inString) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            inString = false;
          }
        } else if (c == '"') {
          inString = true;
        } else if (c == '{') {
          depth++;
        } else if (c == '}' && --depth == 0) {
          return i;
        }
      }
      return -1;
    }

    static String unescape(String s) {
      StringBuilder out = new StringBuilder(s.length());
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c != '\\' || i + 1 >= s.length()) {
          out.append(c);
          continue;
        }
        char e = s.charAt(++i);
        switch (e) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
            i += 4;
          }
          default -> out.append(e); // \" \\ \/
        }
      }
      return out.toString();
    }

    static String escape(String s) {
      StringBuilder out = new StringBuilder(s.length() + 2);
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> {
            if (c < 0x20) {
              out.append(String.format("\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      return out.toString();
    }
  }
}
