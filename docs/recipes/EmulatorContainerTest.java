// JUnit 5 + Testcontainers (org.testcontainers:testcontainers, org.testcontainers:junit-jupiter):
// one emulator for the test class, started from the image and ready once its health route answers.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

@Testcontainers
class EmulatorContainerTest {
  static final String ADMIN_TOKEN = "test-admin-token";

  @Container
  static final GenericContainer<?> OCR = new GenericContainer<>(DockerImageName.parse("nhn-ocr-emulator"))
      .withExposedPorts(8080)
      .withEnv("EMULATOR_ADMIN_TOKEN", ADMIN_TOKEN)
      .waitingFor(Wait.forHttp("/__emulator/health").forStatusCode(200));

  static String baseUrl() {
    return "http://" + OCR.getHost() + ":" + OCR.getMappedPort(8080);
  }

  @BeforeEach
  void reset() throws Exception {
    HttpRequest reset = HttpRequest.newBuilder(URI.create(baseUrl() + "/__emulator/reset"))
        .header("Authorization", "Bearer " + ADMIN_TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody())
        .build();
    HttpClient.newHttpClient().send(reset, HttpResponse.BodyHandlers.discarding());
  }

  @Test
  void readsACard() {
    // Point your OCR client at baseUrl() with appKey "emulator-appkey" and secret key
    // "emulator-secretkey" (v2.0), or get a v2.1 token from baseUrl() + "/oauth2/token/create".
  }
}
