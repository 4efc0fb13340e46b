"""What counts as a secret: the same rules as packages/sdk/src/secrets.ts (checked by shared test vectors)."""
import re

# Names are matched on their words (split at _ - . and case changes) so OPENAI_API_KEY, dbPassword, GITHUB_TOKEN
# and aws.secretAccessKey are caught.
SECRET_WORDS = frozenset(
    "key keys apikey token tokens secret secrets password passwd pwd pass passphrase credential credentials creds "
    "auth authorization private privkey session cookie signature salt bearer cert certificate jwt otp pin dsn sas".split()
)
# Substrings that are secrets even glued to other words (PGPASSWORD, MYSECRET, NPM_AUTHTOKEN, PGPASS).
_SECRET_SUBSTRINGS = re.compile(r"(password|passwd|secret|token|credential|apikey|api_key|privatekey|passphrase|pass(?=$|[_.-]))", re.I)
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")

REDACTED = "[REDACTED]"

_URL_USERINFO = re.compile(r"([a-z][a-z0-9+.-]*://)[^/\s:@]+(:[^/\s@]*)?@", re.I)
_A = re.ASCII
_TOKEN_SHAPES = [
    re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{20,})\b", _A),
    re.compile(r"\b(github_pat_[A-Za-z0-9_]{20,})\b", _A),
    re.compile(r"\b(sk-[A-Za-z0-9_-]{16,})\b", _A),
    re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]{10,})\b", _A),
    re.compile(r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b", _A),
    re.compile(r"\b(hf_[A-Za-z0-9]{20,})\b", _A),
    re.compile(r"\b(tsk_[A-Za-z0-9_-]{20,})", _A),
    re.compile(r"\b(eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})\b", _A),
]
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}", re.I)
_FLAG = re.compile(r"^(--?[^=\s]+)(=.*)?\Z", re.S)


def is_secret_name(name):
    if _SECRET_SUBSTRINGS.search(name):
        return True
    words = [w for w in _WORD_SPLIT.split(_CAMEL.sub(r"\1_\2", name).lower()) if w]
    return any(w in SECRET_WORDS for w in words)


def scrub_value(value):
    out = _URL_USERINFO.sub(lambda m: m.group(1) + REDACTED + "@", value)
    for pattern in _TOKEN_SHAPES:
        out = pattern.sub(REDACTED, out)
    return _BEARER.sub(lambda m: m.group(1) + REDACTED, out)


def filter_env(env):
    """The environment minus every variable whose name looks like a secret; remaining values scrubbed."""
    return {k: scrub_value(env[k]) for k in sorted(env) if env[k] is not None and not is_secret_name(k)}


def redact_argv(argv):
    out = []
    redact_next = False
    for arg in argv:
        if redact_next:
            out.append(REDACTED)
            redact_next = False
            continue
        m = _FLAG.match(arg)
        if m and is_secret_name(m.group(1).lstrip("-")):
            if m.group(2) is not None:
                out.append(m.group(1) + "=" + REDACTED)
            else:
                out.append(arg)
                redact_next = True
            continue
        out.append(scrub_value(arg))
    return out


def redact_params(params):
    return {k: (REDACTED if is_secret_name(k) else scrub_value(v)) for k, v in params.items()}
