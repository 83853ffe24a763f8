"""How this deployment runs: ``local`` (a team's own machine: imports) or ``public`` (a share link: nothing written).

``PROTESTMAP_MODE`` is read in one place here, from the environment (through
:func:`geo.settings.get_settings`) and from Streamlit's secrets, which is how an
operator sets it on Streamlit Community Cloud (the app's Secrets).  Either saying
``public`` makes the deployment public.  Without any secrets file, reading the
secret is silent: Streamlit raises ``FileNotFoundError`` for a missing file, which
means "not set" here; a secrets file that exists and cannot be read stops the app
(it might have said ``public``).

In public mode no page offers an upload, an import or any other write (``app.py``
does not register the Import page), the store is read-only
(:class:`geo.published.PublishedStore`), and no message shows a server path: the
full message goes to the server's log, for the operator.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from geo.errors import SettingsError
from geo.settings import Mode, get_settings, parse_mode

#: The setting's name, as an environment variable and as a secret.
SETTING = "PROTESTMAP_MODE"
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


def _secret() -> object:
    try:
        return st.secrets.get(SETTING)
    except FileNotFoundError as exc:  # StreamlitSecretNotFoundError is one: no file, or one it cannot read
        if not any(Path(p).exists() for p in st.get_option("secrets.files")):
            return None
        _LOG.error("Streamlit's secrets cannot be read: %s", exc)
        raise SettingsError(
            f"Streamlit's secrets cannot be read (the server's log says why), so whether {SETTING} is "
            "'public' is not known and the app does not start; fix the secrets (the app's Secrets on "
            "Streamlit Community Cloud, or .streamlit/secrets.toml)"
        ) from None
