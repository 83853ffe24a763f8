"""How this deployment runs: ``local`` (a team's own machine: imports) or ``public`` (a share link: nothing written).

``PROTESTMAP_MODE`` is read in one place here, from the environment (through
:func:`geo.settings.get_settings`) and from Streamlit's secrets, which is how an
operator sets it on Streamlit Community Cloud (the app's Secrets).  Either saying
``public`` makes the deployment public.  Without any secrets file, reading the
secret is silent: Streamlit raises ``FileNotFoundError`` for a missing file, which
means "not set" here; a secrets file that exists and cannot be read stops the app
(it might have said ``public``).

The store's location, ``PROTESTMAP_STORE``, is read here too (:func:`store_location`):
the environment variable when it is set, else the Streamlit secret of that name (a
file path, ``sqlite:///path`` or a team database's ``postgresql://user:password@host/db``,
at the top level of the secrets), else the default file in the cache.  A location's
password is never shown (:func:`without_password`).

In public mode no page offers an upload, an import or any other write (``app.py``
does not register the Import page), the store is read-only
(:class:`geo.published.PublishedStore`), and no message shows a server path: the
full message goes to the server's log, for the operator.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import streamlit as st

from geo.errors import SettingsError
from geo.settings import Mode, get_settings, parse_mode
from geo.store import _redact

#: The setting's name, as an environment variable and as a secret.
SETTING = "PROTESTMAP_MODE"
#: The store's location, as an environment variable and as a secret.
STORE_SETTING = "PROTESTMAP_STORE"
#: What an uncaught error shows in public mode (its type and message only, never a traceback or path).
PUBLIC_ERROR_DETAILS = "none"

_LOG = logging.getLogger("protest-map")
_LOCAL_ERROR_DETAILS = st.get_option("client.showErrorDetails")
#: Messages already written to the log (each once, not on every rerun).
_LOGGED: set[str] = set()


def mode() -> Mode:
    """``public`` when the environment variable or the secret says so, else ``local``.

    Raises
    ------
    geo.errors.SettingsError
        When either has a value other than ``local`` or ``public`` (the message
        names which one, and the allowed values).
    """
    from_env = get_settings().mode
    from_secret = parse_mode(_secret(), f"the Streamlit secret {SETTING}")
    return "public" if "public" in (from_env, from_secret) else "local"


def public() -> bool:
    """Whether this is a public deployment (see :func:`mode`)."""
    return mode() == "public"


def store_location() -> str:
    """Where the dataset store is: ``PROTESTMAP_STORE`` from the environment, else from the secrets, else the default.

    Raises
    ------
    geo.errors.SettingsError
        When the secret is not a text (a TOML table or a number, say).
    """
    if os.environ.get(STORE_SETTING, "").strip():
        return str(get_settings().store_path)
    secret = _secret(STORE_SETTING)
    if secret is not None and not isinstance(secret, str):
        raise SettingsError(
            f"the Streamlit secret {STORE_SETTING} is a {type(secret).__name__}; expected a text: a file path, "
            "sqlite:///path.sqlite or postgresql://user:password@host/database (at the top level of the secrets)"
        )
    if secret and secret.strip():
        return secret.strip()
    return str(get_settings().store_path)


def without_password(message: str, location: str) -> str:
    """``message`` with ``location``'s password (``user:secret@host`` or ``?password=secret``) replaced by ``***``."""
    message = message.replace(location, _redact(location))
    try:
        parts = urlsplit(location)
        passwords = [parts.password or "", *parse_qs(parts.query).get("password", [])]
    except ValueError:
        passwords = []
    for password in passwords:
        if password:
            message = message.replace(password, "***")
    return message


def apply(public_mode: bool) -> None:
    """Per run: a public deployment shows no traceback (tracebacks name server paths)."""
    wanted = PUBLIC_ERROR_DETAILS if public_mode else _LOCAL_ERROR_DETAILS
    if st.get_option("client.showErrorDetails") != wanted:
        st.set_option("client.showErrorDetails", wanted)


def shown(message: str, public_text: str) -> str:
    """``message`` locally (paths in it help); in public mode ``public_text``, the message going to the log."""
    if not public():
        return message
    if message and message not in _LOGGED:
        _LOGGED.add(message)
        _LOG.warning("%s", message)
    return public_text


def _secret(name: str = SETTING) -> object:
    try:
        return st.secrets.get(name)
    except FileNotFoundError as exc:  # StreamlitSecretNotFoundError is one: no file, or one it cannot read
        if not any(Path(p).exists() for p in st.get_option("secrets.files")):
            return None
        _LOG.error("Streamlit's secrets cannot be read: %s", exc)
        raise SettingsError(
            "Streamlit's secrets cannot be read (the server's log says why), so "
            + (f"whether {SETTING} is 'public'" if name == SETTING else f"{name} (where the store is)")
            + " is not known and the app does not start; fix the secrets (the app's Secrets on "
            "Streamlit Community Cloud, or .streamlit/secrets.toml)"
        ) from None
