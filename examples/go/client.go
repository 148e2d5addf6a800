// Package ocrexample is a small client of the NHN Cloud Document OCR API v2.0 / v2.1 (credit
// card and ID card behind the RSA + AES "electronic envelope"), written from the official guide
// (TOAST-DOCS/OCR en/document-ocr-api-guide-v2.0.md and -v2.1.md) with the standard library
// only. It works unchanged against the live service and against nhn-ocr-emulator.
//
//	client := ocrexample.V20("http://127.0.0.1:8080", "emulator-appkey", "emulator-secretkey")
//	answer, err := client.CreditCard(image, nil)
//	number, err := answer.Decrypt(answer.Body.Result.TotalCardNum)
package ocrexample

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"
)

var httpClient = &http.Client{Timeout: 30 * time.Second}

// Envelope is one request's symmetric key: 32 random bytes (new for each request, as the guide
// recommends); AES-256-CBC with PKCS#7 padding and IV = the key's first 16 bytes.
type Envelope struct{ Key []byte }

// NewEnvelope makes a fresh 32-byte key.
func NewEnvelope() (*Envelope, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return &Envelope{Key: key}, nil
}

// Encrypt pads with PKCS#7 and encrypts with AES-256-CBC, IV = Key[:16].
func (e *Envelope) Encrypt(plain []byte) []byte {
	block, _ := aes.NewCipher(e.Key)
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	padded := append(append([]byte{}, plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	out := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, e.Key[:16]).CryptBlocks(out, padded)
	return out
}

// EncryptText encrypts a value of an authenticity request, as base64.
func (e *Envelope) EncryptText(text string) string {
	return base64.StdEncoding.EncodeToString(e.Encrypt([]byte(text)))
}

// Decrypt decrypts one base64 value of an answer (e.g. totalCardNum) to text.
func (e *Envelope) Decrypt(valueB64 string) (string, error) {
	data, err := base64.StdEncoding.DecodeString(valueB64)
	if err != nil {
		return "", err
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return "", fmt.Errorf("ciphertext of %d bytes is not a whole number of AES blocks", len(data))
	}
	block, _ := aes.NewCipher(e.Key)
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, e.Key[:16]).CryptBlocks(plain, data)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return "", errors.New("bad PKCS#7 padding: not encrypted with this key")
	}
	return string(plain[:len(plain)-pad]), nil
}

// WrappedKey is the Symmetric-Key header: the key wrapped with RSA PKCS#1 v1.5 (Java's
// RSA/ECB/PKCS1Padding) under the public key, a base64 DER SubjectPublicKeyInfo.
func (e *Envelope) WrappedKey(publicKeyB64 string) (string, error) {
	der, err := base64.StdEncoding.DecodeString(publicKeyB64)
	if err != nil {
		return "", err
	}
	parsed, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return "", err
	}
	publicKey, ok := parsed.(*rsa.PublicKey)
	if !ok {
		return "", fmt.Errorf("public key is a %T, not RSA", parsed)
	}
	wrapped, err := rsa.EncryptPKCS1v15(rand.Reader, publicKey, e.Key)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(wrapped), nil
}

// Header is every answer's header; failures come on HTTP 200 with isSuccessful false.
type Header struct {
	IsSuccessful  bool   `json:"isSuccessful"`
	ResultCode    int    `json:"resultCode"`
	ResultMessage string `json:"resultMessage"`
}

// Value is an encrypted value with its confidence.
type Value struct {
	Value string  `json:"value"`
	Conf  float64 `json:"conf"`
}

// KeyValue is one field of an ID card (value encrypted).
type KeyValue struct {
	Key   string  `json:"key"`
	Value string  `json:"value"`
	Conf  float64 `json:"conf"`
}

// Result holds the fields of the credit-card, ID-card and authenticity results used here.
type Result struct {
	FileType       string     `json:"fileType"`
	Resolution     string     `json:"resolution"`
	CardNums       []Value    `json:"cardNums"`
	TotalCardNum   string     `json:"totalCardNum"`
	ValidThru      Value      `json:"validThru"`
	IDType         string     `json:"idType"`
	KeyValues      []KeyValue `json:"keyValues"`
	IsAuthenticity *bool      `json:"isAuthenticity"`
	Key            string     `json:"key"`
	Version        string     `json:"version"`
}

// Body is an answer's JSON body; Result is nil on failure.
type Body struct {
	Header Header  `json:"header"`
	Result *Result `json:"result"`
}

// Answer is an API answer with the envelope whose key decrypts its values.
type Answer struct {
	Status     int
	Body       Body
	RequestKey string // the Request-Key header (id-card only)
	Envelope   *Envelope
}

// Decrypt decrypts one of the answer's values.
func (a *Answer) Decrypt(valueB64 string) (string, error) { return a.Envelope.Decrypt(valueB64) }

// Client calls the five operations of one app key on v2.0 or v2.1.
type Client struct {
	base string
	auth http.Header
}

// V20 authenticates with the secret key (Authorization header).
func V20(baseURL, appKey, secretKey string) *Client {
	return &Client{base: fmt.Sprintf("%s/v2.0/appkeys/%s", strings.TrimRight(baseURL, "/"), appKey), auth: http.Header{"Authorization": {secretKey}}}
}

// V21 authenticates with a User Access Key token (X-NHN-Authorization: Bearer).
func V21(baseURL, appKey, token string) *Client {
	return &Client{base: fmt.Sprintf("%s/v2.1/appkeys/%s", strings.TrimRight(baseURL, "/"), appKey), auth: http.Header{"X-Nhn-Authorization": {"Bearer " + token}}}
}

func (c *Client) do(req *http.Request, envelope *Envelope) (*Answer, error) {
	for name, values := range c.auth {
		req.Header[name] = values
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	answer := &Answer{Status: res.StatusCode, RequestKey: res.Header.Get("Request-Key"), Envelope: envelope}
	if err := json.NewDecoder(res.Body).Decode(&answer.Body); err != nil {
		return nil, fmt.Errorf("%s %s: HTTP %d, body not JSON: %w", req.Method, req.URL.Path, res.StatusCode, err)
	}
	return answer, nil
}

// PublicKey answers the raw public-key call of "credit-card" or "id-card".
func (c *Client) PublicKey(service string) (*Answer, error) {
	req, err := http.NewRequest(http.MethodGet, c.base+"/public-keys/"+service, nil)
	if err != nil {
		return nil, err
	}
	return c.do(req, nil)
}

// envelopeHeaders fetches the service's key and sets X-Key-Version (keyVersion when not
// empty, to show a wrong one) and Symmetric-Key.
func (c *Client) envelopeHeaders(req *http.Request, service string, envelope *Envelope, keyVersion string) error {
	key, err := c.PublicKey(service)
	if err != nil {
		return err
	}
	if key.Body.Result == nil {
		return fmt.Errorf("public key of %s: %+v", service, key.Body.Header)
	}
	wrapped, err := envelope.WrappedKey(key.Body.Result.Key)
	if err != nil {
		return err
	}
	if keyVersion == "" {
		keyVersion = key.Body.Result.Version
	}
	req.Header.Set("X-Key-Version", keyVersion)
	req.Header.Set("Symmetric-Key", wrapped)
	return nil
}

// Options are optional request settings: extra headers (e.g. the emulator's
// X-Emulator-Scenario) and a key version to send instead of the current one.
type Options struct {
	Headers    map[string]string
	KeyVersion string
}

func (c *Client) imageCall(path, service string, image []byte, opts *Options) (*Answer, error) {
	if opts == nil {
		opts = &Options{}
	}
	envelope, err := NewEnvelope()
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	part, err := form.CreateFormFile("image", "image")
	if err != nil {
		return nil, err
	}
	if _, err := part.Write(envelope.Encrypt(image)); err != nil {
		return nil, err
	}
	if err := form.Close(); err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, c.base+"/"+path, &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", form.FormDataContentType())
	for name, value := range opts.Headers {
		req.Header.Set(name, value)
	}
	if err := c.envelopeHeaders(req, service, envelope, opts.KeyVersion); err != nil {
		return nil, err
	}
	return c.do(req, envelope)
}

// CreditCard reads a credit card.
func (c *Client) CreditCard(image []byte, opts *Options) (*Answer, error) {
	return c.imageCall("credit-card", "credit-card", image, opts)
}

// IDCard reads an ID card; the answer carries a Request-Key for the authenticity call.
func (c *Client) IDCard(image []byte, opts *Options) (*Answer, error) {
	return c.imageCall("id-card", "id-card", image, opts)
}

// Authenticity checks the card read under requestKey; every field but idType travels
// encrypted (guide, "Verify Authenticity API").
func (c *Client) Authenticity(requestKey, idType string, values map[string]string) (*Answer, error) {
	envelope, err := NewEnvelope()
	if err != nil {
		return nil, err
	}
	fields := map[string]string{"idType": idType}
	for name, value := range values {
		fields[name] = envelope.EncryptText(value)
	}
	payload, _ := json.Marshal(fields)
	req, err := http.NewRequest(http.MethodPost, c.base+"/id-card/authenticity", bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Request-Key", requestKey)
	if err := c.envelopeHeaders(req, "id-card", envelope, ""); err != nil {
		return nil, err
	}
	return c.do(req, envelope)
}

// Token is the token issuer's answer.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// IssueToken gets a User Access Key token for v2.1: POST /oauth2/token/create with Basic auth
// and grant_type=client_credentials. The emulator serves the issuer on its own port; live it
// is https://oauth.api.nhncloudservice.com.
func IssueToken(oauthURL, accessKeyID, secretAccessKey string) (*Token, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequest(http.MethodPost, strings.TrimRight(oauthURL, "/")+"/oauth2/token/create", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(accessKeyID, secretAccessKey)
	res, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token issuer answered HTTP %d", res.StatusCode)
	}
	var token Token
	return &token, json.NewDecoder(res.Body).Decode(&token)
}

// ResetEmulator forgets one app key's key versions, Request-Keys, locks, queue, defaults and
// journal through the emulator's admin API (not part of the live service); adminToken, when
// not empty, goes as Authorization: Bearer.
func ResetEmulator(baseURL, adminToken, appKey string) error {
	payload, _ := json.Marshal(map[string]string{"appKey": appKey})
	req, err := http.NewRequest(http.MethodPost, strings.TrimRight(baseURL, "/")+"/__emulator/reset", bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if adminToken != "" {
		req.Header.Set("Authorization", "Bearer "+adminToken)
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		// The emulator's answer says why (a wrong token, or an admin API left off), so pass it on.
		body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		return fmt.Errorf("reset answered HTTP %d (EMULATOR_ADMIN_TOKEN set as the emulator's?): %s", res.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}
