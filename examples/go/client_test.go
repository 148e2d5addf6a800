package ocrexample

import (
	"net/http"
	"os"
	"reflect"
	"regexp"
	"sort"
	"testing"
)

// Configuration by environment, with the emulator's defaults (README.md next to this file).
var (
	baseURL         = env("EMULATOR_URL", "http://127.0.0.1:8080")
	adminToken      = env("EMULATOR_ADMIN_TOKEN", "")
	appKey          = env("EMULATOR_APPKEY", "emulator-appkey")
	secretKey       = env("EMULATOR_SECRETKEY", "emulator-secretkey")
	accessKeyID     = env("EMULATOR_USER_ACCESS_KEY_ID", "emulator-user-access-key")
	secretAccessKey = env("EMULATOR_SECRET_ACCESS_KEY", "emulator-secret-access-key")
)

func env(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("fixtures/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// setup resets the app key's state in the emulator, so every test starts clean.
func setup(t *testing.T) *Client {
	t.Helper()
	if err := ResetEmulator(baseURL, adminToken, appKey); err != nil {
		t.Fatal(err)
	}
	return V20(baseURL, appKey, secretKey)
}

func fatalIf(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// decrypt decrypts one of the answer's values, failing the test when it cannot.
func decrypt(t *testing.T, answer *Answer, valueB64 string) string {
	t.Helper()
	plain, err := answer.Decrypt(valueB64)
	fatalIf(t, err)
	return plain
}

func succeeded(t *testing.T, answer *Answer) *Result {
	t.Helper()
	if answer.Status != http.StatusOK || answer.Body.Header.ResultCode != 0 || !answer.Body.Header.IsSuccessful || answer.Body.Result == nil {
		t.Fatalf("expected a successful answer, got HTTP %d %+v", answer.Status, answer.Body.Header)
	}
	return answer.Body.Result
}

func luhnValid(number string) bool {
	sum := 0
	for i := 0; i < len(number); i++ {
		digit := int(number[len(number)-1-i] - '0')
		if i%2 == 1 {
			digit *= 2
			if digit > 9 {
				digit -= 9
			}
		}
		sum += digit
	}
	return sum%10 == 0
}

func decryptAll(t *testing.T, answer *Answer, values []Value) []string {
	t.Helper()
	out := []string{}
	for _, v := range values {
		out = append(out, decrypt(t, answer, v.Value))
	}
	return out
}

func idValues(t *testing.T, answer *Answer) map[string]string {
	t.Helper()
	values := map[string]string{}
	for _, kv := range succeeded(t, answer).KeyValues {
		values[kv.Key] = decrypt(t, answer, kv.Value)
	}
	return values
}

func TestCreditCardV20DecryptsALuhnValidNumber(t *testing.T) {
	client := setup(t)
	answer, err := client.CreditCard(fixture(t, "card-856x540.jpg"), nil)
	fatalIf(t, err)

	result := succeeded(t, answer)
	if answer.Body.Header.ResultMessage != "SUCCESS" {
		t.Errorf("resultMessage %q", answer.Body.Header.ResultMessage)
	}
	// The guide: fileType of the image sent; "normal" resolution from 760x480 px (this one is 856x540).
	if result.FileType != "jpg" || result.Resolution != "normal" {
		t.Errorf("fileType %q resolution %q, expected jpg normal", result.FileType, result.Resolution)
	}
	groups := decryptAll(t, answer, result.CardNums)
	total := decrypt(t, answer, result.TotalCardNum)
	if len(groups) != 4 || len(total) != 16 || groups[0]+groups[1]+groups[2]+groups[3] != total {
		t.Errorf("cardNums %v, totalCardNum %q: expected four groups of four making the total", groups, total)
	}
	if !luhnValid(total) {
		t.Errorf("%s fails the Luhn check", total)
	}
	if validThru := decrypt(t, answer, result.ValidThru.Value); !regexp.MustCompile(`^(0[1-9]|1[0-2])/\d\d$`).MatchString(validThru) {
		t.Errorf("validThru %q is not MM/YY", validThru)
	}
}

func TestScenarioHeaderPlaysTheDocumentedAmexCard(t *testing.T) {
	client := setup(t)
	// scenarios/credit-card/amex.yaml: "cardNumber: 3782 822463 10005", "validThru: 09/29".
	answer, err := client.CreditCard(fixture(t, "card-856x540.jpg"), &Options{Headers: map[string]string{"X-Emulator-Scenario": "credit-card/amex"}})
	fatalIf(t, err)

	result := succeeded(t, answer)
	if groups := decryptAll(t, answer, result.CardNums); !reflect.DeepEqual(groups, []string{"3782", "822463", "10005"}) {
		t.Errorf("cardNums %v", groups)
	}
	if total := decrypt(t, answer, result.TotalCardNum); total != "378282246310005" {
		t.Errorf("totalCardNum %q", total)
	}
	if validThru := decrypt(t, answer, result.ValidThru.Value); validThru != "09/29" {
		t.Errorf("validThru %q", validThru)
	}
}

func TestIDCardThenAuthenticityUsesTheRequestKeyOnce(t *testing.T) {
	client := setup(t)
	card, err := client.IDCard(fixture(t, "id-resident-900x570.jpg"), nil)
	fatalIf(t, err)

	values := idValues(t, card)
	if card.Body.Result.IDType != "resident" {
		t.Errorf("idType %q", card.Body.Result.IDType)
	}
	keys := []string{}
	for key := range values {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	if !reflect.DeepEqual(keys, []string{"issueDate", "issuer", "name", "residentNumber"}) {
		t.Errorf("keys %v", keys)
	}
	if card.RequestKey == "" {
		t.Fatal("no Request-Key header")
	}

	claim := map[string]string{"name": values["name"], "residentNumber": values["residentNumber"], "issueDate": values["issueDate"]}
	firstAnswer, err := client.Authenticity(card.RequestKey, "resident", claim)
	fatalIf(t, err)
	first := succeeded(t, firstAnswer)
	if first.IsAuthenticity == nil || !*first.IsAuthenticity {
		t.Errorf("isAuthenticity %v, expected true", first.IsAuthenticity)
	}

	second, err := client.Authenticity(card.RequestKey, "resident", claim)

	fatalIf(t, err)
	expected := Header{IsSuccessful: false, ResultCode: 4000122, ResultMessage: "Request Key is invalid or expired."}
	if second.Status != http.StatusOK || second.Body.Header != expected || second.Body.Result != nil {
		t.Errorf("second use: HTTP %d %+v", second.Status, second.Body)
	}
}

func TestV21WithATokenFromTheEmulatedIssuer(t *testing.T) {
	setup(t)
	token, err := IssueToken(baseURL, accessKeyID, secretAccessKey)
	fatalIf(t, err)
	if token.TokenType != "Bearer" || token.AccessToken == "" || token.ExpiresIn <= 0 {
		t.Fatalf("token %+v", token)
	}

	answer, err := V21(baseURL, appKey, token.AccessToken).CreditCard(fixture(t, "card-856x540.jpg"), nil)

	fatalIf(t, err)
	if total := decrypt(t, answer, succeeded(t, answer).TotalCardNum); !luhnValid(total) {
		t.Errorf("%s fails the Luhn check", total)
	}

	refused, err := V21(baseURL, appKey, "not-a-token").PublicKey("credit-card")

	fatalIf(t, err)
	if refused.Status != http.StatusOK || refused.Body.Header.ResultCode != 4010006 {
		t.Errorf("unknown token: HTTP %d %+v", refused.Status, refused.Body.Header)
	}
}

func TestAWrongKeyVersionAnswers4000301OnHTTP200(t *testing.T) {
	client := setup(t)
	answer, err := client.CreditCard(fixture(t, "card-856x540.jpg"), &Options{KeyVersion: "999"})
	fatalIf(t, err)

	expected := Header{IsSuccessful: false, ResultCode: 4000301, ResultMessage: "Invalid key version."}
	if answer.Status != http.StatusOK || answer.Body.Header != expected || answer.Body.Result != nil {
		t.Errorf("HTTP %d %+v", answer.Status, answer.Body)
	}
}

func TestResetForgetsRequestKeys(t *testing.T) {
	client := setup(t)
	card, err := client.IDCard(fixture(t, "id-resident-900x570.jpg"), nil)
	fatalIf(t, err)
	values := idValues(t, card)

	if err := ResetEmulator(baseURL, adminToken, appKey); err != nil {
		t.Fatal(err)
	}

	claim := map[string]string{"name": values["name"], "residentNumber": values["residentNumber"], "issueDate": values["issueDate"]}
	answer, err := client.Authenticity(card.RequestKey, "resident", claim)
	fatalIf(t, err)
	if answer.Body.Header.ResultCode != 4000122 {
		t.Errorf("after reset: %+v, expected 4000122", answer.Body.Header)
	}
}
