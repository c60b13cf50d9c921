"""Error mapping by extensions.code, wire → domain conversion, URL and keyring rules."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import keyring
import keyring.backends.fail
import pytest

from posdesk.api import errors, mapping
from posdesk.api.client import mask_code, wire_datetime, wire_decimal
from posdesk.api.credentials import Credentials
from posdesk.api.profile import ConnectionProfile, require_secure_url
from posdesk.domain import GiftCardTransType, TrackingType


def _err(code: str | None, data: dict[str, object] | None = None) -> errors.PosError:
    ext: dict[str, object] = {} if code is None else {"code": code}
    if data is not None:
        ext["data"] = data
    return errors.from_graphql_error({"message": "text never parsed", "extensions": ext})


def test_codes_map_to_classes() -> None:
    assert type(_err("NOT_AUTHENTICATED")) is errors.NotAuthenticated
    denied = _err("NOT_AUTHORIZED", {"Permission": "ViewSales"})
    assert isinstance(denied, errors.NotAuthorized)
    assert denied.permission == "ViewSales"
    assert "ViewSales" in denied.user_message
    invalid = _err("VALIDATION", {"ValidationType": "NotEmptyValidator", "Property": "Member"})
    assert isinstance(invalid, errors.ValidationError)
    assert invalid.field == "Member"
    assert invalid.data["ValidationType"] == "NotEmptyValidator"
    assert type(_err("FUSION_ERROR")) is errors.FusionError
    unknown = _err("GIFTCARD_LOCKED")
    assert isinstance(unknown, errors.UnknownServerError)
    assert isinstance(unknown, errors.FusionError)  # unknown codes are treated like FUSION_ERROR
    assert unknown.code == "GIFTCARD_LOCKED"
    assert isinstance(_err(None), errors.UnknownServerError)


def test_message_text_is_not_what_we_branch_on() -> None:
    err = errors.from_graphql_error(
        {"message": "NOT_AUTHORIZED", "extensions": {"code": "VALIDATION", "data": {}}}
    )
    assert isinstance(err, errors.ValidationError)


def test_every_error_has_a_user_message() -> None:
    samples: list[errors.PosError] = [
        errors.NetworkError(),
        errors.RequestTimeout(),
        errors.TlsError(),
        errors.InsecureUrlError(),
        errors.HttpStatusError(503),
        errors.HttpStatusError(404),
        errors.InvalidResponseError(),
        errors.NotAuthenticated(),
        errors.SignInRequired(),
        errors.NotAuthorized(),
        errors.ValidationError(),
        errors.FusionError(),
        errors.UnknownServerError("X"),
        errors.UnknownOutcome("PD-1"),
        errors.NeedsReview("PD-1"),
        errors.DuplicateReference("PD-1"),
        errors.FeatureUnavailable("customer_search"),
        errors.ConfigurationError(),
        errors.NotFound(),
    ]
    for err in samples:
        assert err.user_message.endswith((".", ")")), err
    assert isinstance(errors.RequestTimeout(), TimeoutError)
    assert "temporarily" in errors.HttpStatusError(503).user_message
    assert "customer search" in errors.FeatureUnavailable("customer_search").user_message


def test_mapping_money_and_time() -> None:
    sale = mapping.sale(
        {
            "id": "00042",
            "saleDate": "2024-03-01T18:30:00",
            "total": "12.30",
            "lines": [{"lineNumber": 1, "sku": "A", "quantity": "-1", "unitPrice": "0.10"}],
            "tenders": [{"tenderType": "CASH", "amount": "12.30"}],
        }
    )
    assert sale.id == "00042"
    assert sale.sale_date == datetime(2024, 3, 1, 18, 30, tzinfo=UTC)
    assert sale.total == Decimal("12.30")
    assert sale.lines[0].quantity == Decimal(-1)
    assert sale.tenders[0].amount == Decimal("12.30")
    assert sale.sub_total is None  # not sent means unknown, not zero
    offset = mapping.instant("2024-03-01T12:00:00-06:00")
    assert offset == datetime(2024, 3, 1, 18, 0, tzinfo=UTC)
    item = mapping.item({"sku": "X", "trackingType": "WEIRD", "barcodes": ["1", None]})
    assert item.tracking_type is None
    assert item.barcodes == ("1",)
    assert mapping.item({"sku": "Y", "trackingType": "LOT"}).tracking_type is TrackingType.LOT
    with pytest.raises(errors.InvalidResponseError):
        mapping.dec("twelve")
    with pytest.raises(errors.InvalidResponseError):
        mapping.page({"results": [{"no_id": 1}]}, mapping.customer)
    page = mapping.page({"results": [], "hasMoreResults": True, "until": "c1"}, mapping.customer)
    assert page.has_more
    assert page.until == "c1"


def test_a_phone_number_that_is_not_text_is_refused() -> None:
    with pytest.raises(errors.InvalidResponseError):
        mapping.customer({"id": "1", "phone": {"raw": "555", "norm": ["+1555"]}})


def test_wire_formats() -> None:
    assert wire_decimal(Decimal("1E+1")) == "10"
    assert wire_decimal(Decimal("-6.490")) == "-6.490"
    aware = datetime(2024, 5, 2, 9, 30, 15, 999, tzinfo=UTC)
    assert wire_datetime(aware) == "2024-05-02T09:30:15"
    assert mask_code("GC50311427") == "••••••1427"
    assert GiftCardTransType("USE") is GiftCardTransType.USE


def test_https_required_except_loopback() -> None:
    require_secure_url("https://pos.example.com")
    require_secure_url("http://127.0.0.1:8765")
    require_secure_url("http://localhost:1")
    require_secure_url("http://[::1]:8000/")
    for url in ("http://pos.example.com", "http://10.0.0.5", "ftp://x", "https://"):
        with pytest.raises(errors.InsecureUrlError):
            require_secure_url(url)
    with pytest.raises(errors.InsecureUrlError):
        ConnectionProfile("p", "http://pos.example.com").check_url()


def test_keyring_missing_is_a_clear_error() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    creds = Credentials()
    with pytest.raises(errors.ConfigurationError) as info:
        creds.client_secret("shop")
    assert "keychain" in info.value.user_message
    with pytest.raises(errors.ConfigurationError):
        creds.set_refresh_token("shop", "r")


def test_keyring_round_trip() -> None:
    creds = Credentials()
    assert creds.client_secret("shop") is None
    creds.set_client_secret("shop", "s3cret")
    creds.set_refresh_token("shop", "r1")
    assert creds.client_secret("shop") == "s3cret"
    assert creds.refresh_token("shop") == "r1"
    creds.set_refresh_token("shop", None)
    assert creds.refresh_token("shop") is None
    creds.forget("shop")
    assert creds.client_secret("shop") is None


def test_validation_messages_come_from_the_validator_name() -> None:
    pin = _err("VALIDATION", {"ValidationType": "PinValidator", "Property": "Pin"})
    assert pin.user_message == "The PIN is wrong."
    empty = _err("VALIDATION", {"ValidationType": "NotEmptyValidator", "Property": "PhysicalCode"})
    assert empty.user_message == "Physical code is required."
    assert isinstance(empty, errors.ValidationError)
    assert empty.field == "PhysicalCode"
    odd = _err("VALIDATION", {"ValidationType": "SomethingNew", "Property": "StoreCode"})
    assert odd.user_message == "The POS server rejected the store code."
    assert errors.humanize("transactionId") == "transaction id"
