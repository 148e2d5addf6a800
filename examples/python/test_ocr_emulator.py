"""Tests of a Python OCR client against nhn-ocr-emulator (README.md next to this file)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import requests

from ocr_client import EmulatorAdmin, OcrClient, issue_token

BASE_URL = os.environ.get("EMULATOR_URL") or "http://127.0.0.1:8080"
ADMIN_TOKEN = os.environ.get("EMULATOR_ADMIN_TOKEN") or None
APP_KEY = os.environ.get("EMULATOR_APPKEY") or "emulator-appkey"
SECRET_KEY = os.environ.get("EMULATOR_SECRETKEY") or "emulator-secretkey"
ACCESS_KEY_ID = os.environ.get("EMULATOR_USER_ACCESS_KEY_ID") or "emulator-user-access-key"
SECRET_ACCESS_KEY = os.environ.get("EMULATOR_SECRET_ACCESS_KEY") or "emulator-secret-access-key"

FIXTURES = Path(__file__).parent / "fixtures"
CARD = (FIXTURES / "card-856x540.jpg").read_bytes()
ID_CARD = (FIXTURES / "id-resident-900x570.jpg").read_bytes()


@pytest.fixture(autouse=True)
def fresh_emulator_state():
    """Every test starts from a clean app key: no key versions, Request-Keys or queued scenarios."""
    EmulatorAdmin(BASE_URL, ADMIN_TOKEN).reset(APP_KEY)


@pytest.fixture
def client() -> OcrClient:
    return OcrClient.v20(BASE_URL, APP_KEY, SECRET_KEY)


def luhn_valid(number: str) -> bool:
    total = 0
    for index, digit in enumerate(int(char) for char in reversed(number)):
        doubled = digit * 2 if index % 2 == 1 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def id_values(answer) -> dict[str, str]:
    return {entry["key"]: answer.decrypt(entry["value"]) for entry in answer.body["result"]["keyValues"]}


def test_credit_card_v20_decrypts_a_luhn_valid_number(client: OcrClient) -> None:
    answer = client.credit_card(CARD)

    assert answer.status == 200
    assert answer.body["header"] == {"isSuccessful": True, "resultCode": 0, "resultMessage": "SUCCESS"}
    result = answer.body["result"]
    # The guide: fileType of the image sent; "normal" resolution from 760x480 px (this one is 856x540).
    assert result["fileType"] == "jpg"
    assert result["resolution"] == "normal"
    groups = [answer.decrypt(entry["value"]) for entry in result["cardNums"]]
    assert [len(group) for group in groups] == [4, 4, 4, 4]
    total = answer.decrypt(result["totalCardNum"])
    assert total == "".join(groups)
    assert luhn_valid(total)
    assert re.fullmatch(r"(0[1-9]|1[0-2])/\d\d", answer.decrypt(result["validThru"]["value"]))


def test_scenario_header_plays_the_documented_amex_card(client: OcrClient) -> None:
    # scenarios/credit-card/amex.yaml: "cardNumber: 3782 822463 10005", "validThru: 09/29".
    answer = client.credit_card(CARD, headers={"X-Emulator-Scenario": "credit-card/amex"})

    assert answer.result_code == 0
    result = answer.body["result"]
    assert [answer.decrypt(entry["value"]) for entry in result["cardNums"]] == ["3782", "822463", "10005"]
    assert answer.decrypt(result["totalCardNum"]) == "378282246310005"
    assert answer.decrypt(result["validThru"]["value"]) == "09/29"


def test_id_card_then_authenticity_uses_the_request_key_once(client: OcrClient) -> None:
    card = client.id_card(ID_CARD)
    assert card.result_code == 0
    assert card.body["result"]["idType"] == "resident"
    values = id_values(card)
    assert set(values) == {"name", "residentNumber", "issueDate", "issuer"}
    assert card.request_key

    claim = {"name": values["name"], "residentNumber": values["residentNumber"], "issueDate": values["issueDate"]}
    first = client.authenticity(card.request_key, "resident", claim)
    assert first.result_code == 0
    assert first.body["result"]["isAuthenticity"] is True

    second = client.authenticity(card.request_key, "resident", claim)
    assert second.status == 200
    assert second.body == {"header": {"isSuccessful": False, "resultCode": 4000122, "resultMessage": "Request Key is invalid or expired."}}


def test_v21_with_a_token_from_the_emulated_issuer() -> None:
    token = issue_token(BASE_URL, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
    assert token["token_type"] == "Bearer"
    assert isinstance(token["expires_in"], int)

    answer = OcrClient.v21(BASE_URL, APP_KEY, token["access_token"]).credit_card(CARD)
    assert answer.result_code == 0
    assert luhn_valid(answer.decrypt(answer.body["result"]["totalCardNum"]))

    refused = requests.get(
        f"{BASE_URL}/v2.1/appkeys/{APP_KEY}/public-keys/credit-card",
        headers={"X-NHN-Authorization": "Bearer not-a-token"},
        timeout=30,
    )
    assert refused.status_code == 200
    assert refused.json()["header"]["resultCode"] == 4010006


def test_a_wrong_key_version_answers_4000301_on_http_200(client: OcrClient) -> None:
    answer = client.credit_card(CARD, key_version="999")

    assert answer.status == 200
    assert answer.body == {"header": {"isSuccessful": False, "resultCode": 4000301, "resultMessage": "Invalid key version."}}


def test_reset_forgets_request_keys(client: OcrClient) -> None:
    card = client.id_card(ID_CARD)
    values = id_values(card)

    EmulatorAdmin(BASE_URL, ADMIN_TOKEN).reset(APP_KEY)

    answer = client.authenticity(card.request_key, "resident", {name: values[name] for name in ("name", "residentNumber", "issueDate")})
    assert answer.result_code == 4000122
