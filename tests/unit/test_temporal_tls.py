"""Temporal connection security from settings: mTLS with our certificate, plain TLS, or none."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from temporalio.service import TLSConfig

from core.settings import Settings


def test_a_client_certificate_and_key_make_mtls(tmp_path: Path) -> None:
    for name in ("cert", "key", "ca"):
        (tmp_path / f"{name}.pem").write_bytes(f"-----{name}-----".encode())
    settings = Settings(
        _env_file=None,
        temporal_tls_cert=tmp_path / "cert.pem",
        temporal_tls_key=tmp_path / "key.pem",
        temporal_tls_ca=tmp_path / "ca.pem",
    )
    tls = settings.temporal_tls_config()
    assert isinstance(tls, TLSConfig)
    assert (tls.client_cert, tls.client_private_key, tls.server_root_ca_cert) == (
        b"-----cert-----",
        b"-----key-----",
        b"-----ca-----",
    )


def test_without_a_certificate_tls_is_what_temporal_tls_says() -> None:
    assert Settings(_env_file=None).temporal_tls_config() is False
    assert Settings(_env_file=None, temporal_tls=True).temporal_tls_config() is True


def test_a_certificate_without_its_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together"):
        Settings(_env_file=None, temporal_tls_cert=tmp_path / "cert.pem")
